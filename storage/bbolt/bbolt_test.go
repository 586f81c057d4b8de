package bbolt_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oauth2/caddy-oauth2/storage"
	"github.com/caddy-oauth2/caddy-oauth2/storage/bbolt"
	"github.com/caddy-oauth2/caddy-oauth2/storage/storagetest"
)

func open(t *testing.T, path string) *bbolt.Store {
	t.Helper()
	s, err := bbolt.Open(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storagetest.RunTests(t, func(t *testing.T) storage.Store {
		s := open(t, filepath.Join(t.TempDir(), "oauth2.db"))
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestReopenKeepsTokens checks that what was written is in the file, not only in memory.
func TestReopenKeepsTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauth2.db")
	s := open(t, path)
	exp := time.Now().Add(time.Hour)
	if err := s.CreateToken(context.Background(), storage.Token{ID: "t", GrantID: "g", ExpiresAt: exp}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	defer s.Close()
	if _, err := s.GetToken(context.Background(), "t"); err != nil {
		t.Fatalf("after reopening: %v", err)
	}
}

// TestLockedFileTimesOut checks that a second opener gets a clear error, not a hang.
func TestLockedFileTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauth2.db")
	s := open(t, path)
	defer s.Close()
	_, err := bbolt.Open(path, 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("second Open = %v, want a 'locked' error", err)
	}
}

// TestClosedStoreRefusesWrites checks that a write after Close fails instead of hanging.
func TestClosedStoreRefusesWrites(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "oauth2.db"))
	s.Close()
	if err := s.CreateToken(context.Background(), storage.Token{ID: "t"}); err == nil {
		t.Fatal("CreateToken on a closed store succeeded")
	}
}

// TestRecentTokensStayExact checks the in-memory cache of recent records against the
// file: past its capacity older records come from the file, and a deleted record is
// gone from both at once.
func TestRecentTokensStayExact(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "oauth2.db"))
	defer s.Close()
	s.SetRecentCapacityForTest(4)
	exp := time.Now().Add(time.Hour)
	for i := range 10 {
		id := fmt.Sprint("t", i)
		if err := s.CreateToken(ctx, storage.Token{ID: id, GrantID: fmt.Sprint("g", i%2), Scopes: []string{"read"}, ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		if tok, err := s.GetToken(ctx, fmt.Sprint("t", i)); err != nil || tok.Scopes[0] != "read" {
			t.Fatalf("t%d: %+v, %v", i, tok, err)
		}
	}
	if err := s.DeleteToken(ctx, "t9"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteGrant(ctx, "g0"); err != nil || n != 5 {
		t.Fatalf("DeleteGrant = %d, %v", n, err)
	}
	for i := range 10 {
		_, err := s.GetToken(ctx, fmt.Sprint("t", i))
		if gone := i == 9 || i%2 == 0; gone != errors.Is(err, storage.ErrNotFound) {
			t.Errorf("t%d: %v, gone %v", i, err, gone)
		}
	}
}
