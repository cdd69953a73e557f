FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir . && useradd --create-home postbode && mkdir /data && chown postbode /data
USER postbode
ENV POSTS_DIR=/site/_posts STATE_DB=/data/state.db
VOLUME /data
CMD ["python", "-m", "bot", "run"]
