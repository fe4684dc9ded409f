"""Starting the cart: finding or simulating devices, a private X server, and stopping everything cleanly."""
