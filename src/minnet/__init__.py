"""minnet: neural networks from scratch in numpy."""
