"""Pages for the public: home and published decisions."""
