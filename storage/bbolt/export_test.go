package bbolt

// SetRecentCapacityForTest replaces the recent-token cache with an empty one of the given size.
func (s *Store) SetRecentCapacityForTest(n int) { s.recent = newRecentTokens(n) }
