package datasets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// fileExtension is the only extension a dataset file may have.
const fileExtension = ".yaml"

// Load reads and validates every dataset file under dir/push and dir/pull.
// A missing push/ or pull/ means no datasets of that kind. On any mistake it
// returns a nil Set and a Problems error holding every mistake in every file.
func Load(dir string) (*Set, error) {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		message := "is not a directory: set DATASETS_DIR to the directory that holds push/ and pull/"
		switch {
		case errors.Is(err, fs.ErrNotExist):
			message = "does not exist: set DATASETS_DIR to the directory that holds push/ and pull/, or run from the repository root"
		case err != nil:
			message = fmt.Sprintf("cannot be read (%v)", err)
		}
		return nil, Problems{{File: dir, Field: FileField, Message: message}}
	}
	var problems Problems
	var files []*datasetFile
	for _, kind := range []Kind{KindPush, KindPull} {
		found, dirProblems := listFiles(dir, kind)
		files = append(files, found...)
		problems = append(problems, dirProblems...)
	}
	loadAll(files)
	for _, f := range files {
		problems = append(problems, f.problems.problems...)
	}
	problems = append(problems, duplicateNames(files)...)
	problems = append(problems, tenantProblems(files)...)
	if len(problems) > 0 {
		problems.sortByFile()
		return nil, problems
	}
	set := &Set{}
	for _, f := range files {
		switch d := f.dataset.(type) {
		case *Push:
			set.Push = append(set.Push, *d)
		case *Pull:
			set.Pull = append(set.Pull, *d)
		}
	}
	sort.Slice(set.Push, func(i, j int) bool { return set.Push[i].Name < set.Push[j].Name })
	sort.Slice(set.Pull, func(i, j int) bool { return set.Pull[i].Name < set.Pull[j].Name })
	return set, nil
}

// datasetFile is one file to load and what came of it.
type datasetFile struct {
	kind     Kind
	path     string
	stem     string
	dataset  checkedDataset
	problems *fileProblems
}

// listFiles lists the dataset files of one kind and reports every entry of
// the kind's directory that is not one.
func listFiles(dir string, kind Kind) ([]*datasetFile, Problems) {
	kindDir := filepath.Join(dir, string(kind))
	entries, err := os.ReadDir(kindDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, syscall.ENOTDIR):
		return nil, Problems{{File: kindDir, Field: FileField, Message: fmt.Sprintf("is a file, but %s datasets live in a directory %s/ of <name>.yaml files", kind, kind)}}
	case err != nil:
		return nil, Problems{{File: kindDir, Field: FileField, Message: fmt.Sprintf("cannot be read (%v)", err)}}
	}
	var files []*datasetFile
	var problems Problems
	for _, entry := range entries {
		path := filepath.Join(kindDir, entry.Name())
		stem, isYAML := strings.CutSuffix(entry.Name(), fileExtension)
		switch {
		case entry.IsDir():
			problems = append(problems, Problem{File: path, Field: FileField, Message: fmt.Sprintf("is a directory, but dataset files go directly in %s/: move its .yaml files up into %s and remove it", kind, kindDir)})
		case !isYAML:
			problems = append(problems, Problem{File: path, Field: FileField, Message: fmt.Sprintf("is not a dataset file, and only <name>.yaml files belong in %s/: rename it to %s.yaml if it is a dataset, or remove it", kind, baseName(entry.Name()))})
		default:
			files = append(files, &datasetFile{kind: kind, path: path, stem: stem, problems: newFileProblems(path)})
		}
	}
	return files, problems
}

// baseName is a file name without its extensions ("x.yml" -> "x").
func baseName(fileName string) string {
	if stem, _, _ := strings.Cut(fileName, "."); stem != "" {
		return stem
	}
	return "<name>"
}

// loadAll loads the files on every CPU: reading and decoding dominate.
func loadAll(files []*datasetFile) {
	next := make(chan *datasetFile)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for f := range next {
				f.load()
			}
		})
	}
	for _, f := range files {
		next <- f
	}
	close(next)
	wg.Wait()
}

// load reads, decodes and checks one file.
func (f *datasetFile) load() {
	data, err := os.ReadFile(f.path)
	if err != nil {
		f.problems.add(FileField, fmt.Sprintf("cannot be read (%v)", err))
		return
	}
	var d checkedDataset = &Push{File: f.path}
	if f.kind == KindPull {
		d = &Pull{File: f.path}
	}
	f.dataset = d
	if decodeFile(f.kind, f.stem, data, d, f.problems) {
		d.check(f.problems, f.stem)
	}
}

// checkedDataset is a *Push or *Pull, which check against the rules.
type checkedDataset interface {
	check(fp *fileProblems, stem string)
}

func (p *Push) check(fp *fileProblems, stem string) {
	checkName(fp, KindPush, stem, p.Name)
	checkBucket(fp, p.Bucket)
	checkBucketAccount(fp, p.BucketAccount, p.Bucket)
	checkUsers(fp, p.Users)
	checkPaperwork(fp, p.Paperwork)
}

func (p *Pull) check(fp *fileProblems, stem string) {
	checkName(fp, KindPull, stem, p.Name)
	checkReaders(fp, p)
	checkUsers(fp, p.Users)
	checkPaperwork(fp, p.Paperwork)
}

// duplicateNames reports datasets of one kind that would own the same AWS
// resources: push datasets with the same name (the same prefix and mover),
// pull datasets with the same bucket. File names are unique, so this finds a
// file whose name field copies another file's.
func duplicateNames(files []*datasetFile) Problems {
	owners := map[string][]*datasetFile{}
	var keys []string
	for _, f := range files {
		var name, key string
		switch d := f.dataset.(type) {
		case *Push:
			name, key = d.Name, "push dataset "+d.Name
		case *Pull:
			name, key = d.Name, "bucket "+d.BucketName()
		}
		// A name that breaks the rules (or a file never read) is reported
		// already; what it would make means nothing.
		if !namePattern.MatchString(name) {
			continue
		}
		if len(owners[key]) == 0 {
			keys = append(keys, key)
		}
		owners[key] = append(owners[key], f)
	}
	var problems Problems
	for _, key := range keys {
		if len(owners[key]) < 2 {
			continue
		}
		for _, f := range owners[key] {
			var others []string
			for _, other := range owners[key] {
				if other != f {
					others = append(others, other.path)
				}
			}
			problems = append(problems, Problem{File: f.path, Field: "name", Message: fmt.Sprintf("makes the same %s as %s: give each dataset its own name, equal to its file name", key, strings.Join(others, " and "))})
		}
	}
	return problems
}

// Len is the number of datasets of both kinds.
func (s *Set) Len() int { return len(s.Push) + len(s.Pull) }

// UserPush is one Analytical Platform user and every push dataset they may
// write to: the stack gives each user one policy for all their prefixes.
type UserPush struct {
	// Role is the user's IAM role name, alpha_user_<github name>.
	Role string
	// Datasets are the push datasets listing the user, sorted by name.
	Datasets []Push
}

// PushByUser groups the push datasets by user, sorted by role.
func (s *Set) PushByUser() []UserPush {
	byRole := map[string][]Push{}
	for _, push := range s.Push {
		for _, role := range push.Users {
			byRole[role] = append(byRole[role], push)
		}
	}
	users := make([]UserPush, 0, len(byRole))
	for role, pushes := range byRole {
		sort.Slice(pushes, func(i, j int) bool { return pushes[i].Name < pushes[j].Name })
		users = append(users, UserPush{Role: role, Datasets: pushes})
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Role < users[j].Role })
	return users
}
