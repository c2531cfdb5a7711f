"""`go-advisor bench`: measure this machine under a fixed protocol, and fit and check the model against records."""
