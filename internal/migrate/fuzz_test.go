package migrate

import (
	"bytes"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// FuzzReadLegacy reads the fuzzed bytes as a legacy push and pull file and
// converts them, as the loader's fuzz test does for our files: no panic,
// every refusal names the file and a field and says what is wrong, and a
// converted file reads back and converts to itself (migrating twice
// changes nothing). The seed corpus is in testdata/fuzz/FuzzReadLegacy.
func FuzzReadLegacy(f *testing.F) {
	f.Add([]byte(pullWith("allow_push: [False]\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "pull_datasets/fuzzed.yaml"
		for _, kind := range naming.Kinds {
			migrated, problem := readAndConvert(kind, file, data)
			if problem != nil {
				if problem.File != file || problem.Field == "" || problem.Message == "" {
					t.Fatalf("%s: refusal without a file, field or message: %#v", kind, problem)
				}
				continue
			}
			out, err := migrated.Encode()
			if err != nil {
				t.Fatalf("%s: converted, but cannot be written: %v", kind, err)
			}
			again, problem := readAndConvert(kind, file, out)
			if problem != nil {
				t.Fatalf("%s: our file\n%s\ndoes not read back: %v", kind, out, problem)
			}
			if again.Name != migrated.Name {
				t.Fatalf("%s: name %q, then %q", kind, migrated.Name, again.Name)
			}
			if twice, err := again.Encode(); err != nil || !bytes.Equal(twice, out) {
				t.Fatalf("%s: migrating twice changes the file:\n%s\nthen:\n%s(%v)", kind, out, twice, err)
			}
		}
	})
}

func readAndConvert(kind naming.Kind, file string, data []byte) (*Migrated, *datasets.Problem) {
	legacy, problem := ReadLegacy(kind, file, data)
	if problem != nil {
		return nil, problem
	}
	return Convert(legacy)
}
