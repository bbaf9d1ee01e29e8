"""Server side of the simulated organisation: one module per API family.

Each module exposes small functions, one per operation, that take the calling client and
its credential, decide the response from the world model and return an ``Emitted`` whose
``template`` names the endpoint in the project's path-template convention.
"""
