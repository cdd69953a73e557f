# A Jekyll plugin for the differential test: after Jekyll has read the site, write
# what it decided for every post (url, date, title, categories, published) as JSON to
# the file named by the site's `postbode_dump` setting.
require "json"

# Loaded once per site when several are built in one process: register once.
unless defined?(POSTBODE_DUMP)
  POSTBODE_DUMP = true
  Jekyll::Hooks.register :site, :post_read do |site|
    posts = site.posts.docs.to_h do |doc|
      [doc.relative_path, {
        "url" => doc.url,
        "date" => doc.date.iso8601(6),
        "title" => doc.data["title"].to_s,
        "categories" => Array(doc.data["categories"]).map(&:to_s),
        # What Jekyll's Publisher decides with `unpublished: false`.
        "published" => doc.data.fetch("published", true) ? true : false,
      }]
    end
    File.write(site.config.fetch("postbode_dump"), JSON.generate(posts))
  end
end
