pytest_plugins = ["redgrid.testing"]
