"""Forms of coursework pages, a module per part."""
