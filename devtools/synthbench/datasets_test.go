package synthbench

import (
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
)

func TestWriteDatasetsWritesValidHalfPushHalfPull(t *testing.T) {
	dir := t.TempDir()
	if err := WriteDatasets(dir, 25); err != nil {
		t.Fatal(err)
	}
	set, err := datasets.Load(dir)
	if err != nil {
		t.Fatalf("generated datasets do not validate: %v", err)
	}
	if len(set.Push) != 13 || len(set.Pull) != 12 {
		t.Fatalf("got %d push and %d pull datasets, want 13 and 12", len(set.Push), len(set.Pull))
	}
	var keep, allowPush, versioning int
	for _, p := range set.Push {
		if p.KeepFiles {
			keep++
		}
	}
	for _, p := range set.Pull {
		if p.AllowPush {
			allowPush++
		}
		if p.BucketVersioning {
			versioning++
		}
	}
	if keep == 0 || keep == len(set.Push) || allowPush == 0 || allowPush == len(set.Pull) || versioning == 0 || versioning == len(set.Pull) {
		t.Errorf("flags not varied: keep_files %d/%d, allow_push %d/%d, bucket_versioning %d/%d",
			keep, len(set.Push), allowPush, len(set.Pull), versioning, len(set.Pull))
	}
}
