package stacks_test

// The security rules, asserted on the synthesized Terraform JSON of the
// example datasets together with 200 generated ones (devtools/synthbench's
// valid datasets, every flag set on some), in one synthesis with the real
// stack code. Each rule is one entry of securityRules: what it asserts, the
// check that lists every violation, and a way to break it, which
// TestSecurityRulesCanFail applies to prove the check can fail.

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/devtools/synthbench"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

// generatedDatasets is how many generated datasets join the examples.
const generatedDatasets = 200

// Rule names.
const (
	ruleNoWildcard         = "no wildcard in any grant"
	rulePrefixList         = "listing a shared bucket is limited to prefixes"
	ruleTLSDenies          = "every bucket policy denies requests without TLS 1.2"
	rulePublicAccessBlock  = "every bucket blocks public access four ways"
	ruleEncryption         = "every bucket encrypts at rest"
	ruleOwnership          = "every bucket owns its objects (BucketOwnerEnforced)"
	ruleNoForceDestroy     = "no bucket has force_destroy"
	rulePreventDestroy     = "every bucket has prevent_destroy"
	ruleLogging            = "every bucket but the log bucket logs access to a bucket of the stack"
	ruleAbortMultipart     = "every bucket aborts incomplete multipart uploads"
	ruleExpectedOwner      = "the mover writes to a recipient only in the recipient's account"
	rulePlatformUsersWrite = "only platform users may write to the export bucket"
)

// securityRule is one rule: check lists its violations in a stack; breaks
// changes a stack so that the rule is violated.
type securityRule struct {
	name   string
	check  func(t testing.TB, s *securityStack) []string
	breaks func(t *testing.T, s *securityStack)
}

var securityRules = []securityRule{
	{ruleNoWildcard, noWildcard, func(t *testing.T, s *securityStack) {
		s.editPolicy(t, "aws_iam_role_policy", naming.UserPushLogicalID(s.firstPushUser()), func(doc *iampolicy.Document) {
			doc.Statement[0].Action = []string{"s3:*"}
		})
	}},
	{rulePrefixList, prefixList, func(t *testing.T, s *securityStack) {
		s.editPolicy(t, "aws_iam_role_policy", naming.UserPushLogicalID(s.firstPushUser()), func(doc *iampolicy.Document) {
			for i := range doc.Statement {
				doc.Statement[i].Condition = nil
			}
		})
	}},
	{ruleTLSDenies, tlsDenies, func(t *testing.T, s *securityStack) {
		s.editPolicy(t, "aws_s3_bucket_policy", s.partOf(naming.ExportBucket, "aws_s3_bucket_policy"), func(doc *iampolicy.Document) {
			doc.Statement = slices.DeleteFunc(doc.Statement, func(st iampolicy.Statement) bool { return st.Condition["NumericLessThan"] != nil })
		})
	}},
	{rulePublicAccessBlock, publicAccessBlock, func(t *testing.T, s *securityStack) {
		s.resource("aws_s3_bucket_public_access_block", s.partOf(naming.ExportBucket, "aws_s3_bucket_public_access_block"))["restrict_public_buckets"] = false
	}},
	{ruleEncryption, encryption, func(t *testing.T, s *securityStack) {
		delete(s.Resource["aws_s3_bucket_server_side_encryption_configuration"], s.partOf(naming.ExportBucket, "aws_s3_bucket_server_side_encryption_configuration"))
	}},
	{ruleOwnership, ownership, func(t *testing.T, s *securityStack) {
		s.resource("aws_s3_bucket_ownership_controls", s.partOf(naming.ExportBucket, "aws_s3_bucket_ownership_controls"))["rule"] = map[string]any{"object_ownership": "ObjectWriter"}
	}},
	{ruleNoForceDestroy, noForceDestroy, func(t *testing.T, s *securityStack) {
		s.resource("aws_s3_bucket", s.bucketID(naming.ExportBucket))["force_destroy"] = true
	}},
	{rulePreventDestroy, preventDestroy, func(t *testing.T, s *securityStack) {
		delete(s.resource("aws_s3_bucket", s.bucketID(naming.ExportBucket)), "lifecycle")
	}},
	{ruleLogging, logging, func(t *testing.T, s *securityStack) {
		delete(s.Resource, "aws_s3_bucket_logging")
	}},
	{ruleAbortMultipart, abortMultipart, func(t *testing.T, s *securityStack) {
		delete(s.Resource, "aws_s3_bucket_lifecycle_configuration")
	}},
	{ruleExpectedOwner, expectedOwner, func(t *testing.T, s *securityStack) {
		for id := range s.Resource["aws_iam_role_policy"] {
			if isMoverPolicy(id) {
				s.editPolicy(t, "aws_iam_role_policy", id, func(doc *iampolicy.Document) {
					for i := range doc.Statement {
						doc.Statement[i].Condition = nil
					}
				})
			}
		}
	}},
	{rulePlatformUsersWrite, platformUsersWrite, func(t *testing.T, s *securityStack) {
		s.editPolicy(t, "aws_s3_bucket_policy", s.partOf(naming.ExportBucket, "aws_s3_bucket_policy"), func(doc *iampolicy.Document) {
			doc.Statement = slices.DeleteFunc(doc.Statement, func(st iampolicy.Statement) bool {
				return st.Condition["Bool"] == nil && st.Condition["NumericLessThan"] == nil
			})
		})
	}},
}

// TestSecurityRules: every rule holds.
func TestSecurityRules(t *testing.T) {
	stack := parseSecurityStack(t, securityStackJSON(t))
	if n := len(stack.Resource["aws_s3_bucket"]); n < generatedDatasets/2 {
		t.Fatalf("%d buckets: the generated datasets are not in the stack", n)
	}
	for _, rule := range securityRules {
		for _, v := range rule.check(t, stack) {
			t.Errorf("%s: %s", rule.name, v)
		}
	}
}

// TestSecurityRulesCanFail breaks each rule in a copy of the stack and
// requires its check to see it.
func TestSecurityRulesCanFail(t *testing.T) {
	data := securityStackJSON(t)
	for _, rule := range securityRules {
		stack := parseSecurityStack(t, data)
		rule.breaks(t, stack)
		if len(rule.check(t, stack)) == 0 {
			t.Errorf("%s: broken, but its check sees nothing wrong", rule.name)
		}
	}
}

// TestWildcardResource: what noWildcard counts as naming one thing.
func TestWildcardResource(t *testing.T) {
	for resource, wildcard := range map[string]bool{
		"arn:aws:s3:::bucket":                            false,
		"arn:aws:s3:::bucket/*":                          false,
		"arn:aws:s3:::bucket/prefix/*":                   false,
		"${aws_sqs_queue.q.arn}":                         false,
		"${aws_cloudwatch_log_group.g.arn}:log-stream:*": false,
		"*":                                     true,
		"arn:aws:s3:::*":                        true,
		"arn:aws:s3:::*/prefix/*":               true,
		"arn:aws:s3:::bucket/pre*":              true,
		"arn:aws:s3:::bucket/*/*":               true,
		"arn:aws:s3:::bucket/*/file":            true,
		"arn:aws:logs:eu-west-1:123456789012:*": true,
		":log-stream:*":                         true,
	} {
		if got := wildcardResource(resource); got != wildcard {
			t.Errorf("wildcardResource(%q) = %v, want %v", resource, got, wildcard)
		}
	}
}

// securityStackJSONCache is the synthesized stack, made once for both tests.
var securityStackJSONCache []byte

// securityStackJSON synthesizes the example datasets and the generated ones
// together, once.
func securityStackJSON(t *testing.T) []byte {
	t.Helper()
	if securityStackJSONCache != nil {
		return securityStackJSONCache
	}
	config := exampleConfig(t)
	dir := filepath.Join(t.TempDir(), naming.DatasetsDir)
	if err := synthbench.WriteDatasets(dir, generatedDatasets); err != nil {
		t.Fatal(err)
	}
	generated, err := datasets.Load(dir)
	if err != nil {
		t.Fatalf("generated datasets: %v", err)
	}
	config.Datasets.Push = append(slices.Clone(config.Datasets.Push), generated.Push...)
	config.Datasets.Pull = append(slices.Clone(config.Datasets.Pull), generated.Pull...)
	securityStackJSONCache = stackJSON(t, synth(t, config))
	return securityStackJSONCache
}

// securityStack is a synthesized stack's resources by type and logical id.
type securityStack struct {
	Resource map[string]map[string]map[string]any `json:"resource"`
}

func parseSecurityStack(t *testing.T, data []byte) *securityStack {
	t.Helper()
	var s securityStack
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// resource is one resource's attributes, nil when there is none.
func (s *securityStack) resource(resourceType, id string) map[string]any {
	return s.Resource[resourceType][id]
}

// bucketNames maps each bucket's logical id to its name.
func (s *securityStack) bucketNames() map[string]string {
	names := map[string]string{}
	for id, bucket := range s.Resource["aws_s3_bucket"] {
		names[id], _ = bucket["bucket"].(string)
	}
	return names
}

// bucketID is the logical id of the bucket named name.
func (s *securityStack) bucketID(name string) string {
	for id, bucketName := range s.bucketNames() {
		if bucketName == name {
			return id
		}
	}
	return ""
}

// bucketReference matches an interpolation of a bucket's attribute:
// ${aws_s3_bucket.<id>.<attribute>}.
var bucketReference = regexp.MustCompile(`^\$\{aws_s3_bucket\.([^.}]+)\.(id|bucket|arn)\}$`)

// bucketOf is the logical id of the bucket a value names: a reference to
// the bucket resource, or its name (or ARN, for attribute arn).
func (s *securityStack) bucketOf(value any) string {
	text, _ := value.(string)
	if m := bucketReference.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return s.bucketID(strings.TrimPrefix(text, "arn:aws:s3:::"))
}

// partsByBucket maps each bucket's logical id to the logical ids of the
// resources of resourceType that configure it (their attribute bucket).
func (s *securityStack) partsByBucket(resourceType string) map[string][]string {
	parts := map[string][]string{}
	for id, r := range s.Resource[resourceType] {
		if bucket := s.bucketOf(r["bucket"]); bucket != "" {
			parts[bucket] = append(parts[bucket], id)
		}
	}
	return parts
}

// partOf is the logical id of the one resource of resourceType that
// configures the bucket named name.
func (s *securityStack) partOf(name, resourceType string) string {
	parts := s.partsByBucket(resourceType)[s.bucketID(name)]
	if len(parts) != 1 {
		return ""
	}
	return parts[0]
}

// eachBucket reports, for every bucket, what is wrong with its resources of
// resourceType: missing, more than one, or what wrong says of the one.
func (s *securityStack) eachBucket(resourceType string, wrong func(r map[string]any) string) []string {
	var violations []string
	parts := s.partsByBucket(resourceType)
	for id, name := range s.bucketNames() {
		switch ids := parts[id]; len(ids) {
		case 0:
			violations = append(violations, fmt.Sprintf("bucket %s (%s) has no %s", name, id, resourceType))
		case 1:
			if problem := wrong(s.resource(resourceType, ids[0])); problem != "" {
				violations = append(violations, fmt.Sprintf("bucket %s: %s.%s %s", name, resourceType, ids[0], problem))
			}
		default:
			violations = append(violations, fmt.Sprintf("bucket %s has %d %s: %v", name, len(ids), resourceType, ids))
		}
	}
	slices.Sort(violations)
	return violations
}

// blocks is a nested block as a list: Terraform JSON writes a block as an
// object or as a list of objects.
func blocks(value any) []map[string]any {
	switch v := value.(type) {
	case map[string]any:
		return []map[string]any{v}
	case []any:
		var out []map[string]any
		for _, item := range v {
			if m, ok := item.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// policy is one policy document of the stack and where it is.
type policy struct {
	resourceType, id, attribute string
	doc                         iampolicy.Document
}

func (p policy) String() string { return p.resourceType + "." + p.id + "." + p.attribute }

// policies is every policy document in the stack: each string attribute,
// at any depth, named policy or ending in _policy that holds a JSON object
// with a Statement, parsed whole.
func (s *securityStack) policies(t testing.TB) []policy {
	var found []policy
	var walk func(resourceType, id, path string, value any)
	walk = func(resourceType, id, path string, value any) {
		switch v := value.(type) {
		case map[string]any:
			for key, child := range v {
				walk(resourceType, id, strings.TrimPrefix(path+"."+key, "."), child)
			}
		case []any:
			for i, child := range v {
				walk(resourceType, id, fmt.Sprintf("%s.%d", path, i), child)
			}
		case string:
			name := path[strings.LastIndex(path, ".")+1:]
			if name != "policy" && !strings.HasSuffix(name, "_policy") {
				return
			}
			var probe map[string]any
			if json.Unmarshal([]byte(v), &probe) != nil || probe["Statement"] == nil {
				return
			}
			found = append(found, policy{resourceType, id, path, synthtest.ParsePolicy(t, v)})
		}
	}
	for resourceType, byID := range s.Resource {
		for id, attributes := range byID {
			walk(resourceType, id, "", attributes)
		}
	}
	slices.SortFunc(found, func(a, b policy) int { return strings.Compare(a.String(), b.String()) })
	return found
}

// editPolicy rewrites the policy of one resource.
func (s *securityStack) editPolicy(t *testing.T, resourceType, id string, edit func(doc *iampolicy.Document)) {
	t.Helper()
	r := s.resource(resourceType, id)
	if r == nil {
		t.Fatalf("no %s.%s to break", resourceType, id)
	}
	doc := synthtest.ParsePolicy(t, r["policy"].(string))
	edit(&doc)
	r["policy"] = doc.JSON()
}

// firstPushUser is the first user with a push policy.
func (s *securityStack) firstPushUser() string {
	for _, id := range slices.Sorted(maps.Keys(s.Resource["aws_iam_role_policy"])) {
		if owner, ok := naming.ParseLogicalID(id); ok && owner.Owner == naming.OwnerUser {
			return owner.Role
		}
	}
	return ""
}

// isMoverPolicy is true for a mover role's policy.
func isMoverPolicy(id string) bool {
	owner, ok := naming.ParseLogicalID(id)
	return ok && owner.Owner == naming.OwnerPush && owner.Part == naming.PartMoverRolePolicy
}

// s3Resource splits an S3 ARN into bucket and key pattern; ok is false for
// any other resource.
func s3Resource(arn string) (bucket, key string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok {
		return "", "", false
	}
	bucket, key, _ = strings.Cut(rest, "/")
	return bucket, key, true
}

// wildcardResource is true when resource is not one named thing: a "*"
// anywhere but as the whole key pattern below a named bucket and prefix
// (arn:aws:s3:::bucket/prefix/*) or as every stream of one log group
// (<log group ARN>:log-stream:*).
func wildcardResource(resource string) bool {
	if !strings.Contains(resource, "*") {
		return false
	}
	if strings.Count(resource, "*") > 1 {
		return true
	}
	if bucket, key, ok := s3Resource(resource); ok {
		return bucket == "" || strings.Contains(bucket, "*") || !strings.HasSuffix(key, "*") || (key != "*" && !strings.HasSuffix(key, "/*"))
	}
	return !strings.HasSuffix(resource, ":log-stream:*") || strings.HasPrefix(resource, ":log-stream:*")
}

// noWildcard: every Allow names its actions, resources and principals. A
// Deny may use wildcards: they widen what it refuses.
func noWildcard(t testing.TB, s *securityStack) []string {
	var violations []string
	for _, p := range s.policies(t) {
		for _, st := range p.doc.Statement {
			if st.Effect != iampolicy.Allow {
				continue
			}
			for _, action := range st.Action {
				if strings.Contains(action, "*") {
					violations = append(violations, fmt.Sprintf("%s: statement %q allows action %q", p, st.Sid, action))
				}
			}
			for _, resource := range st.Resource {
				if wildcardResource(resource) {
					violations = append(violations, fmt.Sprintf("%s: statement %q allows on %q", p, st.Sid, resource))
				}
			}
			for kind, principals := range st.Principal {
				for _, principal := range principals {
					if strings.Contains(principal, "*") {
						violations = append(violations, fmt.Sprintf("%s: statement %q allows %s principal %q", p, st.Sid, kind, principal))
					}
				}
			}
		}
	}
	return violations
}

// prefixList: a grant of s3:ListBucket on a bucket that is not one pull
// dataset's own (the export bucket, a recipient's) is limited by an
// s3:prefix condition to named prefixes, so nobody lists another dataset's
// keys. A pull dataset's bucket holds that dataset alone: its users and
// readers list all of it.
func prefixList(t testing.TB, s *securityStack) []string {
	ownBuckets := map[string]bool{}
	for id, name := range s.bucketNames() {
		if owner, ok := naming.ParseLogicalID(id); ok && owner.Owner == naming.OwnerPull {
			ownBuckets[name] = true
		}
	}
	var violations []string
	for _, p := range s.policies(t) {
		for _, st := range p.doc.Statement {
			if st.Effect != iampolicy.Allow || !slices.Contains(st.Action, "s3:ListBucket") {
				continue
			}
			shared := slices.ContainsFunc(st.Resource, func(arn string) bool {
				bucket, _, ok := s3Resource(arn)
				return !ok || !ownBuckets[bucket]
			})
			if !shared {
				continue
			}
			prefixes := st.Condition["StringLike"]["s3:prefix"]
			if len(st.Condition) != 1 || len(st.Condition["StringLike"]) != 1 || len(prefixes) == 0 ||
				slices.ContainsFunc(prefixes, func(prefix string) bool { return !strings.HasSuffix(prefix, "/*") || strings.Count(prefix, "*") != 1 }) {
				violations = append(violations, fmt.Sprintf("%s: statement %q lists %v with condition %v, want only StringLike s3:prefix <prefix>/*", p, st.Sid, st.Resource, st.Condition))
			}
		}
	}
	return violations
}

// tlsDenies: each bucket's policy refuses, to everyone, every request
// without TLS and every request with TLS older than 1.2, on the bucket and
// its objects.
func tlsDenies(t testing.TB, s *securityStack) []string {
	names := s.bucketNames()
	return s.eachBucket("aws_s3_bucket_policy", func(r map[string]any) string {
		text, _ := r["policy"].(string)
		doc := synthtest.ParsePolicy(t, text)
		id := s.bucketOf(r["bucket"])
		// The bucket's ARN, written out or as a reference.
		arns := []string{iampolicy.BucketARN(names[id]), "${aws_s3_bucket." + id + ".arn}"}
		bucketAndObjects := func(resources []string) bool {
			return slices.ContainsFunc(arns, func(arn string) bool { return slices.Equal(resources, []string{arn, arn + "/*"}) })
		}
		deniesAll := func(st iampolicy.Statement, operator, key, value string) bool {
			return st.Effect == iampolicy.Deny && slices.Equal(st.Principal["AWS"], []string{"*"}) && len(st.Principal) == 1 &&
				slices.Equal(st.Action, []string{"s3:*"}) && bucketAndObjects(st.Resource) &&
				len(st.Condition) == 1 && len(st.Condition[operator]) == 1 && slices.Equal(st.Condition[operator][key], []string{value})
		}
		var missing []string
		if !slices.ContainsFunc(doc.Statement, func(st iampolicy.Statement) bool {
			return deniesAll(st, "Bool", "aws:SecureTransport", "false")
		}) {
			missing = append(missing, "no deny of requests without TLS")
		}
		if !slices.ContainsFunc(doc.Statement, func(st iampolicy.Statement) bool {
			return deniesAll(st, "NumericLessThan", "s3:TlsVersion", "1.2")
		}) {
			missing = append(missing, "no deny of TLS older than 1.2")
		}
		return strings.Join(missing, "; ")
	})
}

func publicAccessBlock(t testing.TB, s *securityStack) []string {
	return s.eachBucket("aws_s3_bucket_public_access_block", func(r map[string]any) string {
		var off []string
		for _, setting := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			if r[setting] != true {
				off = append(off, setting)
			}
		}
		if len(off) > 0 {
			return fmt.Sprintf("leaves %v off", off)
		}
		return ""
	})
}

func encryption(t testing.TB, s *securityStack) []string {
	return s.eachBucket("aws_s3_bucket_server_side_encryption_configuration", func(r map[string]any) string {
		for _, rule := range blocks(r["rule"]) {
			for _, byDefault := range blocks(rule["apply_server_side_encryption_by_default"]) {
				if algorithm := byDefault["sse_algorithm"]; algorithm == "AES256" || algorithm == "aws:kms" || algorithm == "aws:kms:dsse" {
					return ""
				}
			}
		}
		return fmt.Sprintf("sets no default encryption: %v", r["rule"])
	})
}

func ownership(t testing.TB, s *securityStack) []string {
	return s.eachBucket("aws_s3_bucket_ownership_controls", func(r map[string]any) string {
		if rules := blocks(r["rule"]); len(rules) != 1 || rules[0]["object_ownership"] != "BucketOwnerEnforced" {
			return fmt.Sprintf("rule %v, want object_ownership BucketOwnerEnforced", r["rule"])
		}
		return ""
	})
}

// eachBucketResource reports what wrong says of every aws_s3_bucket.
func (s *securityStack) eachBucketResource(wrong func(bucket map[string]any) string) []string {
	var violations []string
	for id, bucket := range s.Resource["aws_s3_bucket"] {
		if problem := wrong(bucket); problem != "" {
			violations = append(violations, fmt.Sprintf("bucket %v (%s) %s", bucket["bucket"], id, problem))
		}
	}
	slices.Sort(violations)
	return violations
}

func noForceDestroy(t testing.TB, s *securityStack) []string {
	return s.eachBucketResource(func(bucket map[string]any) string {
		if force, set := bucket["force_destroy"]; set && force != false {
			return fmt.Sprintf("has force_destroy %v", force)
		}
		return ""
	})
}

func preventDestroy(t testing.TB, s *securityStack) []string {
	return s.eachBucketResource(func(bucket map[string]any) string {
		for _, lifecycle := range blocks(bucket["lifecycle"]) {
			if lifecycle["prevent_destroy"] == true {
				return ""
			}
		}
		return "has no lifecycle prevent_destroy"
	})
}

// logging: the log buckets are those other buckets log to; every other
// bucket logs to one of them.
func logging(t testing.TB, s *securityStack) []string {
	logBuckets := map[string]bool{}
	for _, r := range s.Resource["aws_s3_bucket_logging"] {
		if target := s.bucketOf(r["target_bucket"]); target != "" {
			logBuckets[target] = true
		}
	}
	var violations []string
	parts := s.partsByBucket("aws_s3_bucket_logging")
	for id, name := range s.bucketNames() {
		if logBuckets[id] {
			continue
		}
		ids := parts[id]
		if len(ids) != 1 {
			violations = append(violations, fmt.Sprintf("bucket %s (%s) has %d aws_s3_bucket_logging, want one", name, id, len(ids)))
			continue
		}
		if target := s.bucketOf(s.resource("aws_s3_bucket_logging", ids[0])["target_bucket"]); target == "" || target == id {
			violations = append(violations, fmt.Sprintf("bucket %s logs to %v, want the stack's log bucket", name, s.resource("aws_s3_bucket_logging", ids[0])["target_bucket"]))
		}
	}
	slices.Sort(violations)
	return violations
}

// abortMultipart: an enabled lifecycle rule for the whole bucket aborts
// incomplete multipart uploads after some days.
func abortMultipart(t testing.TB, s *securityStack) []string {
	return s.eachBucket("aws_s3_bucket_lifecycle_configuration", func(r map[string]any) string {
		for _, rule := range blocks(r["rule"]) {
			wholeBucket := true
			for _, filter := range blocks(rule["filter"]) {
				for key, value := range filter {
					if key != "prefix" || value != "" {
						wholeBucket = false
					}
				}
			}
			for _, abort := range blocks(rule["abort_incomplete_multipart_upload"]) {
				if days, _ := abort["days_after_initiation"].(float64); rule["status"] == "Enabled" && wholeBucket && days >= 1 {
					return ""
				}
			}
		}
		return fmt.Sprintf("has no enabled rule for the whole bucket that aborts incomplete multipart uploads: %v", r["rule"])
	})
}

// expectedOwner: every statement of a mover's policy that writes to a
// bucket outside the stack (a recipient's) holds only while the bucket is
// in the recipient's account (s3:ResourceAccount), so a bucket of the same
// name in another account gets nothing.
func expectedOwner(t testing.TB, s *securityStack) []string {
	ours := map[string]bool{}
	for _, name := range s.bucketNames() {
		ours[name] = true
	}
	var violations []string
	for _, p := range s.policies(t) {
		if p.resourceType != "aws_iam_role_policy" || !isMoverPolicy(p.id) {
			continue
		}
		for _, st := range p.doc.Statement {
			writes := slices.ContainsFunc(st.Action, func(action string) bool {
				return strings.HasPrefix(action, "s3:") && !strings.HasPrefix(action, "s3:Get") && !strings.HasPrefix(action, "s3:List")
			})
			recipient := slices.ContainsFunc(st.Resource, func(arn string) bool {
				bucket, _, ok := s3Resource(arn)
				return ok && !ours[bucket]
			})
			if st.Effect != iampolicy.Allow || !writes || !recipient {
				continue
			}
			if accounts := st.Condition["StringEquals"]["s3:ResourceAccount"]; len(accounts) != 1 || !naming.IsAccountID(accounts[0]) {
				violations = append(violations, fmt.Sprintf("%s: statement %q writes to %v without an s3:ResourceAccount condition", p, st.Sid, st.Resource))
			}
		}
	}
	return violations
}

// platformUsersWrite: the export bucket's policy refuses object writes from
// every principal that is not an Analytical Platform user's role.
func platformUsersWrite(t testing.TB, s *securityStack) []string {
	id := s.partOf(naming.ExportBucket, "aws_s3_bucket_policy")
	r := s.resource("aws_s3_bucket_policy", id)
	if r == nil {
		return []string{"the export bucket has no policy"}
	}
	objects := iampolicy.ObjectsARN(naming.ExportBucket, "")
	doc := synthtest.ParsePolicy(t, r["policy"].(string))
	for _, st := range doc.Statement {
		if st.Effect != iampolicy.Deny || !slices.Equal(st.Principal["AWS"], []string{"*"}) ||
			!slices.Contains(st.Action, "s3:PutObject") || !slices.Contains(st.Resource, objects) {
			continue
		}
		for operator, keys := range st.Condition {
			for key, values := range keys {
				if strings.Contains(operator, "Not") && strings.EqualFold(key, "aws:PrincipalArn") &&
					slices.ContainsFunc(values, func(v string) bool { return strings.Contains(v, ":role/alpha_user_") }) {
					return nil
				}
			}
		}
	}
	return []string{fmt.Sprintf("aws_s3_bucket_policy.%s has no Deny of s3:PutObject on %s for every principal not an alpha_user_ role", id, objects)}
}
