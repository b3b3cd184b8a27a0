package datasets

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// TestEncodeExamples: each example dataset encodes to its own file without
// the comments (so in the model's field order and layout), and the encoded
// files load as the same datasets.
func TestEncodeExamples(t *testing.T) {
	examples := filepath.Join("..", naming.ExamplesDir)
	set, err := Load(examples)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	check := func(kind Kind, name, file string, encoded []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		written, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if want := withoutComments(string(written)); string(encoded) != want {
			t.Errorf("Encode(%s) =\n%s\nwant\n%s", file, encoded, want)
		}
		writeDataset(t, dir, kind, name+".yaml", string(encoded))
	}
	for _, p := range set.Push {
		encoded, err := Encode(p)
		check(KindPush, p.Name, p.File, encoded, err)
	}
	for _, p := range set.Pull {
		encoded, err := Encode(p)
		check(KindPull, p.Name, p.File, encoded, err)
	}
	reloaded, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(withoutFiles(*reloaded), withoutFiles(*set)) {
		t.Fatalf("encoded examples load as\n%+v\nwant\n%+v", *reloaded, *set)
	}
}

func withoutComments(file string) string {
	var lines []string
	for line := range strings.Lines(file) {
		if !strings.HasPrefix(line, "#") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "")
}

func withoutFiles(set Set) Set {
	for i := range set.Push {
		set.Push[i].File = ""
	}
	for i := range set.Pull {
		set.Pull[i].File = ""
	}
	return set
}

// TestEncodeQuotes: text YAML would read as something else, or cannot hold
// unquoted, is quoted; one reference is a plain value; false flags are left
// out; and the file loads as the dataset.
func TestEncodeQuotes(t *testing.T) {
	cases := []struct {
		dataset Push
		want    string
	}{
		{
			Push{Name: "new_project", Bucket: "yes", BucketAccount: "012345678901", Users: []string{"alpha_user_jo"}, Paperwork: References{"DPIA 17056: see #4", "0123", "# ref 4412"}},
			"name: new_project\nbucket: \"yes\"\nbucket_account: \"012345678901\"\nusers:\n  - alpha_user_jo\npaperwork:\n  - 'DPIA 17056: see #4'\n  - \"0123\"\n  - '# ref 4412'\n",
		},
		{
			Push{Name: "new_project", Bucket: "0123", BucketAccount: "111122223333", Users: []string{"alpha_user_jo"}, Paperwork: References{"DPIA 17056 # 2"}, KeepFiles: true},
			"name: new_project\nbucket: \"0123\"\nbucket_account: \"111122223333\"\nusers:\n  - alpha_user_jo\npaperwork: 'DPIA 17056 # 2'\nkeep_files: true\n",
		},
	}
	for _, tc := range cases {
		encoded, err := Encode(tc.dataset)
		if err != nil {
			t.Fatal(err)
		}
		if string(encoded) != tc.want {
			t.Errorf("Encode(%+v) =\n%s\nwant\n%s", tc.dataset, encoded, tc.want)
		}
		dir := t.TempDir()
		writeDataset(t, dir, KindPush, "new_project.yaml", string(encoded))
		set, err := Load(dir)
		if err != nil {
			t.Fatalf("Load(Encode(%+v)): %v", tc.dataset, err)
		}
		if got := withoutFiles(*set).Push[0]; !reflect.DeepEqual(got, tc.dataset) {
			t.Errorf("Load(Encode(%+v)) = %+v", tc.dataset, got)
		}
	}
}

// FuzzEncode: whatever text a dataset holds, its encoded file decodes as the
// same dataset, with no problem in its shape (the rules, which Load also
// applies, may still refuse the values). Only text that is not UTF-8 may
// fail to encode. A push dataset, and a pull dataset with federated readers,
// hold the fuzzed text.
func FuzzEncode(f *testing.F) {
	for _, text := range []string{"yes", "0123", "#", ": ", "~", "", "2024-01-31", " x", "x ", "a\nb", "a\n\tb", "\tx", "- x", "[x]", "{x}", "&x", "*x", "!x", "%x", "@x", "'x'", `"x"`, "null", "1e3", ".inf", "0x1F", "<<", "? x", "x: y", "x #y", "---", "...", "\u2028", "\ufeffx", "112233445566778899001"} {
		f.Add(text, text, false)
	}
	f.Fuzz(func(t *testing.T, text, reference string, flag bool) {
		push := Push{Name: text, Bucket: reference, BucketAccount: text, Users: []string{text, reference}, Paperwork: References{reference}, KeepFiles: flag}
		if text != "" {
			push.Paperwork = append(push.Paperwork, text)
		}
		pull := Pull{Name: text, PullARNs: []string{reference},
			GCPReaders:   []federation.GCPReader{{ServiceAccountUniqueID: text, ServiceAccountEmail: reference}},
			AzureReaders: []federation.AzureReader{{TenantID: text, ObjectID: reference, ClientID: text}},
			Users:        []string{text}, Paperwork: References{reference}, AllowPush: flag}
		valid := utf8.ValidString(text) && utf8.ValidString(reference)
		checkRoundTrip(t, KindPush, push, valid)
		checkRoundTrip(t, KindPull, pull, valid)
	})
}

// checkRoundTrip checks that dataset encodes (if its text is valid UTF-8)
// to a file that decodes as dataset, with no problem in its shape.
func checkRoundTrip[D Push | Pull](t *testing.T, kind Kind, dataset D, valid bool) {
	t.Helper()
	encoded, err := Encode(dataset)
	if err != nil {
		if valid {
			t.Fatalf("Encode(%+v): %v", dataset, err)
		}
		return
	}
	var decoded D
	fp := newFileProblems("new_project.yaml")
	if !decodeFile(kind, "new_project", encoded, &decoded, fp) || len(fp.problems) > 0 {
		t.Fatalf("Encode(%+v) =\n%s\nwhich decodes with problems:\n%v", dataset, encoded, fp.problems)
	}
	if !reflect.DeepEqual(decoded, dataset) {
		t.Fatalf("Encode(%+v) =\n%s\nwhich decodes as %+v", dataset, encoded, decoded)
	}
}
