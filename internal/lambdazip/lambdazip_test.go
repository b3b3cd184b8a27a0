package lambdazip

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestBuildIsReproducibleAndRuns(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a.zip"), filepath.Join(dir, "b.zip")
	ctx := context.Background()
	for _, out := range []string{first, second} {
		if err := Build(ctx, ".", "./testdata/hello", out); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(second)
	if !bytes.Equal(a, b) {
		t.Fatal("two builds of the same source gave different zips")
	}

	r, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.File) != 1 || r.File[0].Name != BinaryName || r.File[0].Mode()&0o100 == 0 {
		t.Fatalf("zip holds %v; want one executable %q", r.File, BinaryName)
	}
	bin := filepath.Join(dir, BinaryName)
	src, _ := r.File[0].Open()
	data := new(bytes.Buffer)
	data.ReadFrom(src)
	if err := os.WriteFile(bin, data.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin).Output()
	if err != nil || string(out) != "hello from bootstrap\n" {
		t.Fatalf("packaged binary printed %q, %v", out, err)
	}
}
