package datasets

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad writes the fuzzed bytes as both a push and a pull dataset file:
// Load must never panic, and every refusal must name a file and a field and
// say what is wrong. The seed corpus is in testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(file(KindPush)))
	f.Add([]byte(file(KindPull)))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		pushPath := filepath.Join(dir, "push", "fuzzed.yaml")
		pullPath := filepath.Join(dir, "pull", "fuzzed.yaml")
		for _, path := range []string{pushPath, pullPath} {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		set, err := Load(dir)
		if err == nil {
			// One file cannot be both a valid push and a valid pull dataset.
			t.Fatalf("Load accepted %q as both kinds: %+v", data, set)
		}
		problems := problemsOf(t, err)
		if len(problems) == 0 {
			t.Fatal("Load failed with no problems")
		}
		for _, p := range problems {
			if (p.File != pushPath && p.File != pullPath) || p.Field == "" || p.Message == "" {
				t.Fatalf("problem without a file, field or message: %#v", p)
			}
		}
	})
}
