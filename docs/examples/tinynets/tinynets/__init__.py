"""tinynets: small residual networks for 32x32 images (an example model library)."""
