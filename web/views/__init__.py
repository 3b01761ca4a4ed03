"""Page handlers, one module per page group."""
