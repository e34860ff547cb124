"""Adding Reel to Python web apps without editing templates: middleware that injects the snippet.

`reel.capture.snippet` builds the snippet (the same text `reel apps create` prints), `inject` decides
where and whether it goes; `asgi`, `wsgi` and `django` adapt them to each framework. Nothing here
imports Reel's server or storage, so a web app installs Reel's package without running it.
"""
