// Package bbolt is the default storage backend: one bbolt file, nothing to install.
//
// bbolt allows one writer at a time and every commit costs two fsyncs, so writes go
// through a group commit: callers queue closures, one goroutine runs everything that
// queued while the previous commit was syncing in a single transaction. An idle store
// commits a lone write at once; a busy one shares each fsync among all waiting writers.
package bbolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/caddy-oauth2/caddy-oauth2/storage"
)

var (
	bucketTokens        = []byte("tokens")
	bucketTokensExpiry  = []byte("tokens_by_expiry") // 8-byte big-endian unix nanoseconds + token ID
	bucketTokensByGrant = []byte("tokens_by_grant")  // grant ID + 0x00 + token ID
	bucketKeys          = []byte("keys")
)

// maxBatch bounds one group commit, so one transaction never grows without limit.
const maxBatch = 512

// Under steady load the writers of one commit come back together for the next, but
// not at the same instant: their requests are parsed one after another. The commit
// loop waits for as many writers as the last commit had, a gap of gatherGap without
// a new write at most and gatherMax in all, so one fsync (about a millisecond) serves
// them all instead of a few. An idle store never waits: its last batch was one write.
const (
	gatherGap = 200 * time.Microsecond
	gatherMax = time.Millisecond
)

// Store is a storage.Store in one bbolt file.
type Store struct {
	db     *bolt.DB
	recent *recentTokens
	writes chan *write
	quit   chan struct{}
	done   chan struct{}
	once   sync.Once
}

type write struct {
	fn func(*bolt.Tx) error
	// after, if set, runs once fn's transaction has committed, in commit order.
	after func()
	err   chan error
}

// Open opens (creating if needed) the bbolt file at path. It waits at most timeout
// for the file lock that another process may hold.
func Open(path string, timeout time.Duration) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating directory for %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      timeout,
		FreelistType: bolt.FreelistMapType,
		// The freelist is rebuilt by a scan on open instead of written by every commit:
		// fewer pages to sync per token, as etcd does.
		NoFreelistSync: true,
	})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("opening %s: the file is locked by another process (is another Caddy using it?)", path)
		}
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketTokens, bucketTokensExpiry, bucketTokensByGrant, bucketKeys} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("initialising %s: %w", path, err)
	}
	s := &Store{db: db, recent: newRecentTokens(recentCapacity), writes: make(chan *write, maxBatch), quit: make(chan struct{}), done: make(chan struct{})}
	go s.commitLoop()
	return s, nil
}

// Close finishes the queued writes and closes the file.
func (s *Store) Close() error {
	s.once.Do(func() { close(s.quit) })
	<-s.done
	return s.db.Close()
}

// update runs fn in a write transaction shared with other writers and returns once
// that transaction is durably committed. fn may run more than once (when another
// closure of its batch fails, the batch is retried without it), so it must be idempotent.
func (s *Store) update(fn func(*bolt.Tx) error, after func()) error {
	w := &write{fn: fn, after: after, err: make(chan error, 1)}
	select {
	case s.writes <- w:
	case <-s.quit:
		return storage.ErrClosed
	}
	select {
	case err := <-w.err:
		return err
	case <-s.done:
		// The commit loop answers every write it takes before it ends; a write that
		// slipped into the queue after its last look was never run.
		select {
		case err := <-w.err:
			return err
		default:
			return storage.ErrClosed
		}
	}
}

func (s *Store) commitLoop() {
	defer close(s.done)
	batch := make([]*write, 0, maxBatch)
	last := 1
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case w := <-s.writes:
			batch = append(batch[:0], w)
		case <-s.quit:
			// Writers that queued before quit still get their answer.
			for {
				select {
				case w := <-s.writes:
					s.commit([]*write{w})
				default:
					return
				}
			}
		}
		batch = s.drain(batch)
		deadline := time.Now().Add(gatherMax)
	gather:
		for len(batch) < last && len(batch) < maxBatch {
			wait := min(gatherGap, time.Until(deadline))
			if wait <= 0 {
				break
			}
			timer.Reset(wait)
			select {
			case w := <-s.writes:
				batch = s.drain(append(batch, w))
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		last = len(batch)
		s.commit(batch)
	}
}

// drain adds the writes already queued, without waiting.
func (s *Store) drain(batch []*write) []*write {
	for len(batch) < maxBatch {
		select {
		case w := <-s.writes:
			batch = append(batch, w)
		default:
			return batch
		}
	}
	return batch
}

// commit runs the batch in one transaction. A closure that fails is answered with
// its error and the rest run again without it, so one bad write never fails others.
func (s *Store) commit(batch []*write) {
	for len(batch) > 0 {
		failed, failErr := -1, error(nil)
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i, w := range batch {
				if err := w.fn(tx); err != nil {
					failed, failErr = i, err
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, w := range batch {
				if err == nil && w.after != nil {
					w.after()
				}
				w.err <- err
			}
			return
		}
		batch[failed].err <- failErr
		batch = append(batch[:failed:failed], batch[failed+1:]...)
	}
}

func expiryKey(t time.Time, id string) []byte {
	k := make([]byte, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano()))
	copy(k[8:], id)
	return k
}

func grantKey(grantID, id string) []byte {
	return append(append([]byte(grantID), 0), id...)
}

// CreateToken implements storage.Tokens.
func (s *Store) CreateToken(_ context.Context, t storage.Token) error {
	v := encodeToken(t)
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		if b.Get([]byte(t.ID)) != nil {
			return storage.ErrAlreadyExists
		}
		if err := b.Put([]byte(t.ID), v); err != nil {
			return err
		}
		if err := tx.Bucket(bucketTokensExpiry).Put(expiryKey(t.ExpiresAt, t.ID), nil); err != nil {
			return err
		}
		return tx.Bucket(bucketTokensByGrant).Put(grantKey(t.GrantID, t.ID), nil)
	}, func() { s.recent.add(t) })
}

// GetToken implements storage.Tokens.
func (s *Store) GetToken(_ context.Context, id string) (storage.Token, error) {
	if t, ok := s.recent.get(id); ok {
		return t, nil
	}
	var t storage.Token
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTokens).Get([]byte(id))
		if v == nil {
			return storage.ErrNotFound
		}
		var err error
		t, err = decodeToken(v)
		return err
	})
	return t, err
}

// deleteToken removes a token and its index entries inside tx.
func deleteToken(tx *bolt.Tx, id []byte) error {
	b := tx.Bucket(bucketTokens)
	v := b.Get(id)
	if v == nil {
		return nil
	}
	t, err := decodeToken(v)
	if err != nil {
		return fmt.Errorf("token record %x: %w", id, err)
	}
	if err := tx.Bucket(bucketTokensExpiry).Delete(expiryKey(t.ExpiresAt, t.ID)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketTokensByGrant).Delete(grantKey(t.GrantID, t.ID)); err != nil {
		return err
	}
	return b.Delete(id)
}

// deleteTokens removes tokens by ID inside tx and says how many.
func deleteTokens(tx *bolt.Tx, ids [][]byte) (int, error) {
	for i, id := range ids {
		if err := deleteToken(tx, id); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}

// DeleteToken implements storage.Tokens.
func (s *Store) DeleteToken(_ context.Context, id string) error {
	return s.update(func(tx *bolt.Tx) error { return deleteToken(tx, []byte(id)) },
		func() { s.recent.remove([]byte(id)) })
}

// DeleteGrant implements storage.Tokens.
func (s *Store) DeleteGrant(_ context.Context, grantID string) (int, error) {
	var n int
	var ids [][]byte
	err := s.update(func(tx *bolt.Tx) (err error) {
		prefix := grantKey(grantID, "")
		ids = ids[:0]
		c := tx.Bucket(bucketTokensByGrant).Cursor()
		for k, _ := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
			ids = append(ids, append([]byte(nil), k[len(prefix):]...))
		}
		n, err = deleteTokens(tx, ids)
		return err
	}, func() { s.recent.remove(ids...) })
	return n, err
}

// DeleteExpiredTokens implements storage.Tokens.
func (s *Store) DeleteExpiredTokens(_ context.Context, now time.Time, max int) (int, error) {
	var n int
	var ids [][]byte
	err := s.update(func(tx *bolt.Tx) (err error) {
		ids = ids[:0]
		c := tx.Bucket(bucketTokensExpiry).Cursor()
		for k, _ := c.First(); k != nil && len(ids) < max; k, _ = c.Next() {
			if len(k) < 8 || int64(binary.BigEndian.Uint64(k[:8])) >= now.UnixNano() {
				break
			}
			ids = append(ids, append([]byte(nil), k[8:]...))
		}
		n, err = deleteTokens(tx, ids)
		return err
	}, func() { s.recent.remove(ids...) })
	return n, err
}

// ListKeys implements storage.Keys.
func (s *Store) ListKeys(_ context.Context) ([]storage.Key, error) {
	var keys []storage.Key
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketKeys).ForEach(func(_, v []byte) error {
			var k storage.Key
			if err := json.Unmarshal(v, &k); err != nil {
				return fmt.Errorf("key record is corrupt: %w", err)
			}
			keys = append(keys, k)
			return nil
		})
	})
	return keys, err
}

// EnsureKey implements storage.Keys.
func (s *Store) EnsureKey(_ context.Context, k storage.Key) (storage.Key, error) {
	var active storage.Key
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKeys)
		found := false
		err := b.ForEach(func(_, v []byte) error {
			var have storage.Key
			if err := json.Unmarshal(v, &have); err != nil {
				return fmt.Errorf("key record is corrupt: %w", err)
			}
			if have.Purpose == k.Purpose && have.State == storage.KeyActive {
				active, found = have, true
			}
			return nil
		})
		if err != nil || found {
			return err
		}
		if b.Get([]byte(k.ID)) != nil {
			return storage.ErrAlreadyExists
		}
		v, err := json.Marshal(k)
		if err != nil {
			return err
		}
		active = k
		return b.Put([]byte(k.ID), v)
	}, nil)
	return active, err
}

var _ storage.Store = (*Store)(nil)
