"""The demo: a moto-hosted AWS Organization and the processes that watch it (`make demo`)."""
