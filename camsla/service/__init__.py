"""`camsla serve`: the scheduler, its jobs, the observation buffer and spool, and the web app built
from the routers of camsla.web (see camsla.service.app)."""
