"""Channel adapters: the port (base.py) and one module per platform."""
