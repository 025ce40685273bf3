"""The historical diff viewer: server-rendered pages of sites, versions and changes.

`routes.setup(app)` mounts the pages, the static files and the HTML error pages; the
modules beside it turn store rows into what the templates show and do no I/O.
"""
