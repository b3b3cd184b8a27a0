// Package datasetfiles writes dataset files into a temporary directory for
// tests that read them as the product does, from disk.
package datasetfiles

import (
	"os"
	"path/filepath"
	"testing"
)

// Write creates each file, given as a path relative to dir and its content,
// with the directories it needs.
func Write(t testing.TB, dir string, pathsAndContents ...string) {
	t.Helper()
	if len(pathsAndContents)%2 != 0 {
		t.Fatalf("datasetfiles.Write: %d arguments; want path, content pairs", len(pathsAndContents))
	}
	for i := 0; i < len(pathsAndContents); i += 2 {
		path := filepath.Join(dir, pathsAndContents[i])
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(pathsAndContents[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
