package plansummary

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Status says what a plan does to a dataset.
type Status string

// Statuses, in the order the summary lists them.
const (
	Added Status = "added"
	// Adopted datasets are those some of whose resources the plan imports
	// (resources that exist but Terraform does not manage yet) rather than
	// creates.
	Adopted Status = "adopted"
	Changed Status = "changed"
	Removed Status = "removed"
)

var statusOrder = []Status{Added, Adopted, Changed, Removed}

// Summary is what a plan does, arranged for a reviewer.
type Summary struct {
	// Errored is true when Terraform could not finish the plan.
	Errored bool
	// Counts is the number of resources per verb: import, create, update,
	// replace, delete, forget. An imported resource that also changes counts
	// under both, as Terraform counts it.
	Counts map[string]int
	// Refused lists the changes the deploy refuses to apply (see Gate), and
	// Flagged the risky changes it applies, which the reviewer must judge
	// (see Risk.Refused), each by address.
	Refused, Flagged []RiskyChange
	// Deleted lists every other deletion or replacement, by address.
	Deleted []ResourceChange
	// Drift lists the resources changed outside Terraform since it last
	// applied them, by address.
	Drift []Drift
	// Datasets lists each dataset the plan changes, by status, kind, name.
	Datasets []DatasetChange
	// Other lists changes to shared resources and users' push policies.
	Other []ResourceChange
	// Unowned lists changed resources whose logical id is not ours.
	Unowned []ResourceChange
	// UnknownPushPolicies names users whose push policy is known only after
	// apply, so push users gained and lost may be incomplete.
	UnknownPushPolicies []string
	// DepartedUsers are listed users whose role no longer exists: the plan
	// leaves out their access and warns.
	DepartedUsers []DepartedUser
}

// ResourceChange is one resource the plan changes.
type ResourceChange struct {
	Address string
	// Verb is import, create, update, replace, delete or forget: what
	// happens to the resource (import only when nothing else does).
	Verb string
	// Owner is the resource's parsed logical id; Ours is false when the
	// logical id is not one of this project's.
	Owner naming.LogicalID
	Ours  bool
}

// RiskyChange is a resource change that a rule flags (see Gate).
type RiskyChange struct {
	ResourceChange
	Risk Risk
}

// DatasetChange is what the plan does to one dataset.
type DatasetChange struct {
	Kind   datasets.Kind
	Name   string
	Status Status
	// Recipient is a push dataset's recipient bucket before and after.
	Recipient Diff[string]
	// RecipientAccount is the account that owns the recipient bucket, as the
	// mover expects it, before and after ("" on a side deployed before
	// recipients' accounts were pinned). NewRecipientAccount is true when
	// the plan's prior state never dealt with the after account.
	RecipientAccount    Diff[string]
	NewRecipientAccount bool
	// Bucket is a pull dataset's own bucket name (after, or before when
	// removed).
	Bucket string
	// UsersGained and UsersLost are Analytical Platform roles.
	UsersGained, UsersLost []string
	// PrincipalsGained and PrincipalsLost are a pull dataset's outside
	// principals; PrincipalsUnknown is true when the bucket policy is known
	// only after apply. The roles of its federated readers, which the
	// bucket policy names too, are not among them: ReadersGained and
	// ReadersLost show the outside identity behind each.
	PrincipalsGained, PrincipalsLost []Principal
	PrincipalsUnknown                bool
	ReadersGained, ReadersLost       []FederatedReader
	// Flags lists the dataset's flags that change (for an added dataset:
	// those turned on).
	Flags []FlagChange
	// Paperwork is the references (links, or text naming a document) in the
	// dataset file; PaperworkGap says why there are none.
	Paperwork    []string
	PaperworkGap *PaperworkGap
	// Resources counts the dataset's own resources per verb.
	Resources map[string]int
	// ChangedOutside is true when some of the dataset's resources were
	// changed outside Terraform (see Summary.Drift).
	ChangedOutside bool
}

// Diff is a value before and after the plan; Unknown is true when the after
// value is known only after apply.
type Diff[T comparable] struct {
	Before, After T
	Unknown       bool
}

// Changed is true when the value changes.
func (d Diff[T]) Changed() bool { return d.Unknown || d.Before != d.After }

// Principal is an outside IAM principal granted access to a pull bucket.
type Principal struct {
	ARN     string
	Account string
	// NewAccount is true when Terraform never granted any principal in this
	// account (see appliedAccounts).
	NewAccount bool
}

// FederatedReader is an outside identity, on Google Cloud or Azure, that
// reads a pull dataset through a role of its own (package federation).
type FederatedReader struct {
	// Role is the name of the reader's role.
	Role string
	// Reader is the one identity the role's trust policy admits, a Google
	// reader with its email read from the role's tag. It is nil when the
	// policy is not of the one narrow shape, and Problem says why (the
	// deploy refuses it).
	Reader  federation.Reader
	Problem string
	// NewIdentity is true when no reader role of the plan's prior state
	// trusts this identity.
	NewIdentity bool
}

// FlagChange is one dataset flag (keep_files, allow_push,
// bucket_versioning) before and after.
type FlagChange struct {
	Name          string
	Before, After bool
}

// Flag names as analysts write them in dataset files.
const (
	flagKeepFiles        = "keep_files"
	flagAllowPush        = "allow_push"
	flagBucketVersioning = "bucket_versioning"
)

// side is what a dataset looks like on one side of the plan, read from its
// resources.
type side struct {
	exists            bool
	recipient         string
	recipientUnknown  bool
	account           string
	accountUnknown    bool
	keepFiles         bool
	bucket            string
	principals        []string
	principalsUnknown bool
	allowPush         bool
	versioning        bool
	users             map[string]bool

	// readers are the federated readers, by role and identity.
	readers map[string]FederatedReader
}

type datasetKey struct {
	kind datasets.Kind
	name string
}

// datasetState gathers a dataset's two sides and its own resource changes.
type datasetState struct {
	before, after side
	// resources counts the dataset's changing resources per verb.
	resources map[string]int
}

// Summarize arranges a plan for a reviewer, with each dataset's paperwork
// found by paperwork.
func Summarize(p *Plan, paperwork PaperworkLookup) *Summary {
	s := &Summary{Errored: p.Errored, Counts: map[string]int{}}
	states := map[datasetKey]*datasetState{}
	stateOf := func(key datasetKey) *datasetState {
		if states[key] == nil {
			states[key] = &datasetState{resources: map[string]int{}}
		}
		return states[key]
	}
	unknownPolicies := map[string]bool{}
	risks := newRiskContext(p.Plan)
	known := priorKnown(p.Plan)
	s.Drift = drifts(p.Plan, known.accounts)

	for _, rc := range managedChanges(p.Plan) {
		id, ours := naming.ParseLogicalID(rc.Name)
		c := rc.Change
		vs := verbs(c)
		if len(vs) > 0 {
			s.list(rc, vs, id, ours, risks)
		}
		if !ours {
			continue
		}
		switch {
		case id.Owner == naming.OwnerPush || id.Owner == naming.OwnerPull:
			ds := stateOf(datasetKey{datasets.Kind(id.Owner), id.Dataset})
			for _, v := range vs {
				ds.resources[v]++
			}
			if c.Before != nil {
				ds.before.read(rc, id, c.Before, nil)
			}
			if c.After != nil {
				ds.after.read(rc, id, c.After, c.AfterUnknown)
			}
		case id.Owner == naming.OwnerUser:
			// A user's push policy lists the prefix of every push dataset
			// they may write to: that is where push users come from.
			for _, name := range pushPolicyDatasets(c.Before) {
				stateOf(datasetKey{datasets.KindPush, name}).before.addUser(id.Role)
			}
			if c.After != nil && unknown(c.AfterUnknown, "policy") {
				unknownPolicies[id.Role] = true
			}
			for _, name := range pushPolicyDatasets(c.After) {
				stateOf(datasetKey{datasets.KindPush, name}).after.addUser(id.Role)
			}
		}
	}

	changedOutside := map[datasetKey]bool{}
	for _, d := range s.Drift {
		if d.Ours && (d.Owner.Owner == naming.OwnerPush || d.Owner.Owner == naming.OwnerPull) {
			changedOutside[datasetKey{datasets.Kind(d.Owner.Owner), d.Owner.Dataset}] = true
		}
	}
	for key, ds := range states {
		if change, ok := ds.diff(key, known); ok {
			change.Paperwork, change.PaperworkGap = paperwork.find(key.kind, key.name, change.Status)
			change.ChangedOutside = changedOutside[key]
			s.Datasets = append(s.Datasets, change)
		}
	}
	s.UnknownPushPolicies = slices.Sorted(maps.Keys(unknownPolicies))
	s.DepartedUsers = departedUsers(p.Plan)
	s.sort()
	return s
}

// list counts a changing resource under each of its verbs and lists it where
// a reviewer should see it: under refused, flagged or deleted changes, and,
// when no dataset owns it, under other or unowned changes.
func (s *Summary) list(rc *tfjson.ResourceChange, vs []string, id naming.LogicalID, ours bool, risks riskContext) {
	for _, v := range vs {
		s.Counts[v]++
	}
	change := ResourceChange{Address: rc.Address, Verb: vs[len(vs)-1], Owner: id, Ours: ours}
	switch risk, atRisk := risks.risk(rc); {
	case atRisk && risk.Refused():
		s.Refused = append(s.Refused, RiskyChange{change, risk})
	case atRisk:
		s.Flagged = append(s.Flagged, RiskyChange{change, risk})
	case deletes(rc.Change.Actions):
		s.Deleted = append(s.Deleted, change)
	}
	switch {
	case !ours:
		s.Unowned = append(s.Unowned, change)
	case id.Owner == naming.OwnerUser || id.Owner == naming.OwnerShared:
		s.Other = append(s.Other, change)
	}
}

// read records what one resource says about its dataset on this side.
func (sd *side) read(rc *tfjson.ResourceChange, id naming.LogicalID, values, afterUnknown any) {
	sd.exists = true
	if id.Part == "user" {
		sd.addUser(id.Role)
		return
	}
	switch rc.Type {
	case "aws_lambda_function":
		sd.recipient = stringAttribute(values, moverVariable(naming.EnvDestinationBucket)...)
		sd.recipientUnknown = unknown(afterUnknown, moverVariable(naming.EnvDestinationBucket)...)
		sd.account = stringAttribute(values, moverVariable(naming.EnvDestinationAccount)...)
		sd.accountUnknown = unknown(afterUnknown, moverVariable(naming.EnvDestinationAccount)...)
		sd.keepFiles, _ = strconv.ParseBool(stringAttribute(values, moverVariable(naming.EnvKeepFiles)...))
	case "aws_s3_bucket":
		sd.bucket = stringAttribute(values, "bucket")
	case "aws_s3_bucket_policy":
		if unknown(afterUnknown, "policy") {
			sd.principalsUnknown = true
			return
		}
		if doc, ok := parsePolicy(stringAttribute(values, "policy")); ok {
			sd.principals, sd.allowPush = doc.grantedPrincipals()
		}
	case "aws_s3_bucket_versioning":
		sd.versioning = stringAttribute(values, "versioning_configuration", 0, "status") == "Enabled"
	case "aws_iam_role":
		if naming.IsFederatedReaderPart(id.Part) {
			r := readerOf(values)
			if sd.readers == nil {
				sd.readers = map[string]FederatedReader{}
			}
			sd.readers[r.key()] = r
		}
	}
}

// readerOf is the federated reader a reader role's values trust.
func readerOf(values any) FederatedReader {
	r := FederatedReader{Role: stringAttribute(values, "name")}
	reader, err := federation.ReadTrustPolicy(r.Role, stringAttribute(values, "assume_role_policy"))
	if err != nil {
		r.Problem = "its trust policy " + err.Error()
		return r
	}
	if google, ok := reader.(federation.GCPReader); ok {
		google.ServiceAccountEmail = stringAttribute(values, "tags", naming.ReaderEmailTag)
		reader = google
	}
	r.Reader = reader
	return r
}

// key tells readers apart: a role that comes to trust another identity, or
// shows another email, is one reader lost and one gained.
func (r FederatedReader) key() string {
	if r.Reader == nil {
		return r.Role + "\n" + r.Problem
	}
	return r.Role + "\n" + r.Reader.String()
}

// identity is the outside identity a reader stands for, "" when unknown.
func (r FederatedReader) identity() string {
	if r.Reader == nil {
		return ""
	}
	return string(r.Reader.Cloud()) + " " + r.Reader.Identity()
}

// moverVariable is the path of one variable of a mover function's
// environment.
func moverVariable(name string) []any { return []any{"environment", 0, "variables", name} }

func (sd *side) addUser(role string) {
	if sd.users == nil {
		sd.users = map[string]bool{}
	}
	sd.users[role] = true
}

// pushPolicyDatasets is every push dataset a user's push policy grants.
func pushPolicyDatasets(values any) []string {
	doc, ok := parsePolicy(stringAttribute(values, "policy"))
	if !ok {
		return nil
	}
	return doc.pushDatasets()
}

// diff compares a dataset's two sides; ok is false when nothing a reviewer
// judges changes.
func (ds *datasetState) diff(key datasetKey, known prior) (DatasetChange, bool) {
	b, a := ds.before, ds.after
	change := DatasetChange{Kind: key.kind, Name: key.name, Resources: ds.resources}
	switch {
	case ds.resources[verbImport] > 0:
		// Imported resources have a before side (what exists, read at
		// plan time), so the diff shows what adoption changes.
		change.Status = Adopted
	case !b.exists && a.exists:
		change.Status = Added
	case b.exists && !a.exists:
		change.Status = Removed
	default:
		change.Status = Changed
	}
	change.UsersGained, change.UsersLost = setDiff(b.users, a.users)
	switch key.kind {
	case datasets.KindPush:
		change.Recipient = Diff[string]{Before: b.recipient, After: a.recipient, Unknown: a.recipientUnknown}
		change.RecipientAccount = Diff[string]{Before: b.account, After: a.account, Unknown: a.accountUnknown}
		change.NewRecipientAccount = change.Status != Removed && a.account != "" && !known.accounts[a.account]
		change.Flags = flagChanges(change.Status, FlagChange{flagKeepFiles, b.keepFiles, a.keepFiles})
	case datasets.KindPull:
		change.Bucket = cmp.Or(a.bucket, b.bucket)
		gained, lost := setDiff(toSet(b.principals), toSet(a.principals))
		change.PrincipalsGained = known.principals(gained, true)
		change.PrincipalsLost = known.principals(lost, false)
		change.PrincipalsUnknown = a.principalsUnknown
		change.ReadersGained = known.readers(a.readers, b.readers)
		change.ReadersLost = known.readers(b.readers, a.readers)
		change.Flags = flagChanges(change.Status,
			FlagChange{flagAllowPush, b.allowPush, a.allowPush},
			FlagChange{flagBucketVersioning, b.versioning, a.versioning},
		)
	}
	judged := len(ds.resources) > 0 || len(change.UsersGained)+len(change.UsersLost) > 0
	return change, judged
}

// flagChanges keeps the flags whose value changes; a removed dataset's flags
// go with it and are not listed.
func flagChanges(status Status, flags ...FlagChange) []FlagChange {
	if status == Removed {
		return nil
	}
	return slices.DeleteFunc(flags, func(f FlagChange) bool { return f.Before == f.After })
}

// prior is what Terraform dealt with when it last applied the resources:
// the plan's prior state, except that a resource changed outside Terraform
// counts as it was before that change (its drift's before), so that an
// account someone granted by hand is still new.
type prior struct {
	// accounts are the accounts of its resources' ARNs and of every
	// principal its policies grant.
	accounts map[string]bool
	// identities are the outside identities its reader roles trust.
	identities map[string]bool
	// readerRoles starts the ARN of every reader role in the account the
	// stack deploys to, "" when the plan does not say which.
	readerRoles string
}

func priorKnown(p *tfjson.Plan) prior {
	type applied struct {
		typ    string
		values any
	}
	resources := map[string]applied{}
	for _, r := range priorResources(p) {
		resources[r.Address] = applied{r.Type, r.AttributeValues}
	}
	for _, rc := range driftChanges(p) {
		if rc.Change.Before != nil {
			resources[rc.Address] = applied{rc.Type, rc.Change.Before}
		}
	}
	known := prior{accounts: map[string]bool{}, identities: map[string]bool{}}
	for _, r := range resources {
		values := r.values
		if account := accountOf(stringAttribute(values, "arn")); account != "" {
			known.accounts[account] = true
		}
		// The account of every recipient bucket its movers deliver to.
		if account := stringAttribute(values, moverVariable(naming.EnvDestinationAccount)...); r.typ == "aws_lambda_function" && account != "" {
			known.accounts[account] = true
		}
		if doc, ok := parsePolicy(stringAttribute(values, "policy")); ok {
			granted, _ := doc.grantedPrincipals()
			for _, arn := range granted {
				known.accounts[accountOf(arn)] = true
			}
		}
		if r.typ == "aws_iam_role" && stringAttribute(values, "path") == naming.FederatedReaderRolePath {
			if identity := readerOf(values).identity(); identity != "" {
				known.identities[identity] = true
			}
		}
	}
	if account := deployAccount(p); account != "" {
		known.readerRoles = federation.RoleARN(account, "")
	}
	return known
}

// principals describes principal ARNs, marking with markNew the accounts
// Terraform never granted (a principal lost is no new account, even one
// granted by hand). The roles of federated readers, in the account the stack
// deploys to, are left out: the readers are shown instead.
func (known prior) principals(arns []string, markNew bool) []Principal {
	var out []Principal
	for _, arn := range arns {
		if known.readerRoles != "" && strings.HasPrefix(arn, known.readerRoles) {
			continue
		}
		account := accountOf(arn)
		out = append(out, Principal{ARN: arn, Account: account, NewAccount: markNew && !known.accounts[account]})
	}
	return out
}

// readers are the readers of one side that the other lacks, sorted by role,
// marking identities the prior state never trusted.
func (known prior) readers(side, other map[string]FederatedReader) []FederatedReader {
	var out []FederatedReader
	for key, r := range side {
		if _, both := other[key]; both {
			continue
		}
		r.NewIdentity = r.Reader != nil && !known.identities[r.identity()]
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b FederatedReader) int { return cmp.Compare(a.key(), b.key()) })
	return out
}

// sort puts every list in its reading order.
func (s *Summary) sort() {
	byRiskyAddress := func(a, b RiskyChange) int { return cmp.Compare(a.Address, b.Address) }
	slices.SortFunc(s.Refused, byRiskyAddress)
	slices.SortFunc(s.Flagged, byRiskyAddress)
	slices.SortFunc(s.Datasets, func(a, b DatasetChange) int {
		return cmp.Or(
			cmp.Compare(slices.Index(statusOrder, a.Status), slices.Index(statusOrder, b.Status)),
			cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Name, b.Name),
		)
	})
	byAddress := func(a, b ResourceChange) int { return cmp.Compare(a.Address, b.Address) }
	slices.SortFunc(s.Deleted, byAddress)
	slices.SortFunc(s.Other, byAddress)
	slices.SortFunc(s.Unowned, byAddress)
}

// Empty is true when the plan changes no resource.
func (s *Summary) Empty() bool {
	for _, n := range s.Counts {
		if n > 0 {
			return false
		}
	}
	return true
}

func toSet(items []string) map[string]bool {
	set := map[string]bool{}
	for _, item := range items {
		set[item] = true
	}
	return set
}

// setDiff is what after has that before lacks, and the reverse, sorted.
func setDiff(before, after map[string]bool) (gained, lost []string) {
	for item := range after {
		if !before[item] {
			gained = append(gained, item)
		}
	}
	for item := range before {
		if !after[item] {
			lost = append(lost, item)
		}
	}
	slices.Sort(gained)
	slices.Sort(lost)
	return gained, lost
}
