"""Endpoint discovery: path templating, inventory, spec import and lifecycle status."""
