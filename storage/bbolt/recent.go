package bbolt

import (
	"sync"

	"github.com/caddy-oauth2/caddy-oauth2/storage"
)

// recentCapacity bounds the records kept in memory: about 12 MiB when full, measured
// with records of two scopes each.
const recentCapacity = 1 << 15

// recentTokens keeps the records of the tokens this process created most recently,
// so that checking a live token, what the gateway and introspection do on every
// request, usually skips the read transaction.
//
// It stays exact because this process is the file's only writer (bbolt locks it) and
// the commit loop applies every change to it in commit order, right after the commit
// and before the writer is answered: a record enters after the commit that stores it
// and leaves after the commit that deletes it, before the delete returns. Reads never
// add to it, so a read cannot bring back a record that a delete has just removed.
type recentTokens struct {
	capacity int

	mu    sync.RWMutex
	byID  map[string]storage.Token
	order []string // ring of IDs in insertion order, for eviction
	next  int
}

func newRecentTokens(capacity int) *recentTokens {
	return &recentTokens{capacity: capacity, byID: make(map[string]storage.Token)}
}

// get returns a cached record. Its slices are shared: callers must not modify them.
func (c *recentTokens) get(id string) (storage.Token, bool) {
	c.mu.RLock()
	t, ok := c.byID[id]
	c.mu.RUnlock()
	return t, ok
}

func (c *recentTokens) add(t storage.Token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.order) < c.capacity {
		c.order = append(c.order, t.ID)
	} else {
		delete(c.byID, c.order[c.next]) // a no-op when it was deleted already
		c.order[c.next] = t.ID
		c.next = (c.next + 1) % c.capacity
	}
	c.byID[t.ID] = t
}

func (c *recentTokens) remove(ids ...[]byte) {
	c.mu.Lock()
	for _, id := range ids {
		delete(c.byID, string(id))
	}
	c.mu.Unlock()
}
