"""What the actions and the web layer share that is not storage: the runtime, configuration
in the engine's forms, the wire shapes, sanitizing, identities and passwords, limits, wait
estimates, the wallboard, Web Push, and this node's part among several."""
