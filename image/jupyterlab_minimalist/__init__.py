"""The image's own server parts, loaded by jupyter_server_config.py: a check of the settings before
the server starts (settings), a token the command line cannot switch off (auth), saves that never
leave a half-written file (contents), and a kernel list that does not fail while kernels start
(kernels)."""
