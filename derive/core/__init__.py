"""What a derivation is made of: symbols and domains, relations, rules and where they act, steps."""
