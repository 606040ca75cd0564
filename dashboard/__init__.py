"""Eastern Flank Incident Map: incidents on NATO's eastern flank, filtered and mapped."""
