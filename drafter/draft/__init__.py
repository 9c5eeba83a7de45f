"""Drafting: facts → plan → per-section stages (compose, exemplars, generate, guard) → assemble → review."""
