# Build each Jekyll site named on the command line, in one Ruby process (loading
# Jekyll takes longer than reading a small site). Same as `jekyll build -s SITE`.
require "jekyll"

ARGV.each do |source|
  # Jekyll remembers every date it parsed, in the zone of the site that parsed it
  # first: each site starts without that memory, as it would in its own process.
  Jekyll::Utils.instance_variable_set(:@parse_date_cache, nil)
  Jekyll::Commands::Build.process(
    "source" => source,
    "destination" => File.join(source, "_site"),
    "quiet" => true,
    "disable_disk_cache" => true,
  )
end
