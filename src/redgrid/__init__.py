"""redgrid 红色网格."""
