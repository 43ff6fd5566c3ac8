"""One module per resource, each with its own ``router``; camsla.web.app.ROUTERS mounts them."""
