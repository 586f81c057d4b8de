// Package storagetest is the conformance suite that every storage backend passes:
// a backend's test calls RunTests with a function that opens a fresh, empty store.
package storagetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/caddy-oauth2/caddy-oauth2/storage"
)

// RunTests runs the whole suite. newStore must return an empty store; the suite
// does not close it (register that with t.Cleanup).
func RunTests(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Run("TokenRoundTrip", func(t *testing.T) { testTokenRoundTrip(t, newStore(t)) })
	t.Run("TokenDuplicateID", func(t *testing.T) { testTokenDuplicate(t, newStore(t)) })
	t.Run("TokenDelete", func(t *testing.T) { testTokenDelete(t, newStore(t)) })
	t.Run("GrantDelete", func(t *testing.T) { testGrantDelete(t, newStore(t)) })
	t.Run("ExpirySweep", func(t *testing.T) { testExpirySweep(t, newStore(t)) })
	t.Run("ConcurrentWrites", func(t *testing.T) { testConcurrentWrites(t, newStore(t)) })
	t.Run("EnsureKeyOnce", func(t *testing.T) { testEnsureKey(t, newStore(t)) })
}

var ctx = context.Background()

func token(id, grant string, exp time.Time) storage.Token {
	return storage.Token{
		ID: id, Kind: storage.AccessToken, GrantID: grant, ClientID: "client-" + grant,
		Subject: "sub-" + grant, Username: "user", Scopes: []string{"read", "write"},
		Audience: []string{"https://api.example"},
		IssuedAt: exp.Add(-time.Hour), ExpiresAt: exp,
	}
}

func mustCreate(t *testing.T, s storage.Store, tok storage.Token) {
	t.Helper()
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatalf("CreateToken(%s): %v", tok.ID, err)
	}
}

func wantAbsent(t *testing.T, s storage.Store, id string) {
	t.Helper()
	if _, err := s.GetToken(ctx, id); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("GetToken(%s) = %v, want ErrNotFound", id, err)
	}
}

func wantPresent(t *testing.T, s storage.Store, id string) {
	t.Helper()
	if _, err := s.GetToken(ctx, id); err != nil {
		t.Fatalf("GetToken(%s) = %v, want the token", id, err)
	}
}

func testTokenRoundTrip(t *testing.T, s storage.Store) {
	want := token("t1", "g1", time.Now().Add(time.Hour).Truncate(time.Millisecond).UTC())
	mustCreate(t, s, want)
	got, err := s.GetToken(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.IssuedAt.Equal(want.IssuedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("times changed: got %v/%v want %v/%v", got.IssuedAt, got.ExpiresAt, want.IssuedAt, want.ExpiresAt)
	}
	got.IssuedAt, got.ExpiresAt, want.IssuedAt, want.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	wantAbsent(t, s, "missing")
}

func testTokenDuplicate(t *testing.T, s storage.Store) {
	exp := time.Now().Add(time.Hour)
	mustCreate(t, s, token("dup", "g1", exp))
	other := token("dup", "g2", exp)
	if err := s.CreateToken(ctx, other); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Fatalf("second CreateToken = %v, want ErrAlreadyExists", err)
	}
	got, err := s.GetToken(ctx, "dup")
	if err != nil || got.GrantID != "g1" {
		t.Fatalf("the first token must be kept unchanged, got %+v, %v", got, err)
	}
}

func testTokenDelete(t *testing.T, s storage.Store) {
	exp := time.Now().Add(time.Hour)
	mustCreate(t, s, token("a", "g", exp))
	mustCreate(t, s, token("b", "g", exp))
	if err := s.DeleteToken(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	wantAbsent(t, s, "a")
	wantPresent(t, s, "b")
	if err := s.DeleteToken(ctx, "a"); err != nil {
		t.Fatalf("deleting an absent token: %v, want nil", err)
	}
	// The deleted token's index entries are gone too: the grant now holds only b.
	if n, err := s.DeleteGrant(ctx, "g"); err != nil || n != 1 {
		t.Fatalf("DeleteGrant = %d, %v; want 1, nil", n, err)
	}
}

func testGrantDelete(t *testing.T, s storage.Store) {
	exp := time.Now().Add(time.Hour)
	for i := range 5 {
		mustCreate(t, s, token(fmt.Sprintf("g1-%d", i), "g1", exp))
	}
	// A grant whose ID starts with the other's must not be caught by a prefix scan.
	mustCreate(t, s, token("g10-0", "g10", exp))
	mustCreate(t, s, token("g2-0", "g2", exp))
	n, err := s.DeleteGrant(ctx, "g1")
	if err != nil || n != 5 {
		t.Fatalf("DeleteGrant(g1) = %d, %v; want 5, nil", n, err)
	}
	for i := range 5 {
		wantAbsent(t, s, fmt.Sprintf("g1-%d", i))
	}
	wantPresent(t, s, "g10-0")
	wantPresent(t, s, "g2-0")
	if n, err := s.DeleteGrant(ctx, "unknown"); err != nil || n != 0 {
		t.Fatalf("DeleteGrant(unknown) = %d, %v; want 0, nil", n, err)
	}
}

func testExpirySweep(t *testing.T, s storage.Store) {
	now := time.Now()
	for i := range 7 {
		mustCreate(t, s, token(fmt.Sprintf("old-%d", i), "old", now.Add(-time.Duration(i+1)*time.Minute)))
	}
	mustCreate(t, s, token("fresh", "fresh", now.Add(time.Minute)))
	n, err := s.DeleteExpiredTokens(ctx, now, 5)
	if err != nil || n != 5 {
		t.Fatalf("first sweep = %d, %v; want 5 (its limit), nil", n, err)
	}
	n, err = s.DeleteExpiredTokens(ctx, now, 5)
	if err != nil || n != 2 {
		t.Fatalf("second sweep = %d, %v; want the remaining 2", n, err)
	}
	n, err = s.DeleteExpiredTokens(ctx, now, 5)
	if err != nil || n != 0 {
		t.Fatalf("third sweep = %d, %v; want 0", n, err)
	}
	for i := range 7 {
		wantAbsent(t, s, fmt.Sprintf("old-%d", i))
	}
	wantPresent(t, s, "fresh")
	// Swept tokens left no grant index behind.
	if n, err := s.DeleteGrant(ctx, "old"); err != nil || n != 0 {
		t.Fatalf("DeleteGrant(old) after the sweep = %d, %v; want 0", n, err)
	}
}

func testConcurrentWrites(t *testing.T, s storage.Store) {
	const writers, each = 16, 25
	exp := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				errs <- s.CreateToken(ctx, token(fmt.Sprintf("c-%d-%d", w, i), fmt.Sprintf("g%d", w), exp))
			}
		})
	}
	// One duplicate among concurrent writers fails alone and does not fail its batch.
	wg.Go(func() {
		mustCreate(t, s, token("shared", "x", exp))
		if err := s.CreateToken(ctx, token("shared", "y", exp)); !errors.Is(err, storage.ErrAlreadyExists) {
			errs <- fmt.Errorf("duplicate in a batch: %v, want ErrAlreadyExists", err)
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for w := range writers {
		for i := range each {
			wantPresent(t, s, fmt.Sprintf("c-%d-%d", w, i))
		}
	}
}

func testEnsureKey(t *testing.T, s storage.Store) {
	const racers = 8
	got := make([]storage.Key, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			k, err := s.EnsureKey(ctx, storage.Key{
				ID: fmt.Sprintf("k%d", i), Purpose: storage.PurposeTokenHMAC, Algorithm: "HS256",
				State: storage.KeyActive, Private: []byte{byte(i)}, CreatedAt: time.Now(),
			})
			if err != nil {
				t.Error(err)
			}
			got[i] = k
		})
	}
	wg.Wait()
	for i := range racers {
		if got[i].ID != got[0].ID || got[i].Private[0] != got[0].Private[0] {
			t.Fatalf("racers disagree on the active key: %s vs %s", got[i].ID, got[0].ID)
		}
	}
	// Another purpose gets its own key.
	sig, err := s.EnsureKey(ctx, storage.Key{ID: "sig1", Purpose: storage.PurposeSigning, Algorithm: "RS256", State: storage.KeyActive, Private: []byte("der")})
	if err != nil || sig.ID != "sig1" {
		t.Fatalf("EnsureKey(signing) = %+v, %v", sig, err)
	}
	keys, err := s.ListKeys(ctx)
	if err != nil || len(keys) != 2 {
		t.Fatalf("ListKeys = %d keys, %v; want 2", len(keys), err)
	}
}
