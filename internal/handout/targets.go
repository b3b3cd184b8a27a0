package handout

import (
	"fmt"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/plansummary"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Target is a dataset to write the handout of.
type Target struct {
	Kind naming.Kind
	Name string
	// Deploy is what a deploy did to it; nil when asked for by name.
	Deploy *Deploy
}

// Named are the datasets of set called names: a push and a pull dataset
// may share a name, and both are given. A name that no dataset has is an
// error that lists those there are.
func Named(set *datasets.Set, names []string) ([]Target, error) {
	var targets []Target
	var unknown []string
	for _, name := range names {
		found := false
		if slices.ContainsFunc(set.Push, func(p datasets.Push) bool { return p.Name == name }) {
			targets, found = append(targets, Target{Kind: naming.KindPush, Name: name}), true
		}
		if slices.ContainsFunc(set.Pull, func(p datasets.Pull) bool { return p.Name == name }) {
			targets, found = append(targets, Target{Kind: naming.KindPull, Name: name}), true
		}
		if !found {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("no dataset is called %s: the datasets are %s", strings.Join(unknown, " or "), datasetNames(set))
	}
	return targets, nil
}

// datasetNames lists a set's datasets for a message.
func datasetNames(set *datasets.Set) string {
	var names []string
	for _, p := range set.Push {
		names = append(names, p.Name+" (push)")
	}
	for _, p := range set.Pull {
		names = append(names, p.Name+" (pull)")
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Changed are the push and pull datasets a plan adds, adopts or changes,
// push first, each kind in the plan summary's order; a dataset it removes
// has no other side left to tell.
func Changed(plan *plansummary.Plan) []Target {
	var targets []Target
	for _, c := range plansummary.Summarize(plan, plansummary.PaperworkLookup{}).Datasets {
		if c.Status == plansummary.Removed {
			continue
		}
		deploy := &Deploy{Status: string(c.Status), OtherSideActs: c.Status != plansummary.Changed}
		switch c.Kind {
		case naming.KindPush:
			if c.Recipient.Changed() {
				deploy.OtherSideActs = true
				if c.Recipient.Before != "" && c.Recipient.Before != c.Recipient.After {
					deploy.PreviousBucket = c.Recipient.Before
				}
			}
		case naming.KindPull:
			readersChanged := len(c.PrincipalsGained)+len(c.PrincipalsLost) > 0 || c.PrincipalsUnknown
			allowPushChanged := slices.ContainsFunc(c.Flags, func(f plansummary.FlagChange) bool { return f.Name == "allow_push" })
			deploy.OtherSideActs = deploy.OtherSideActs || readersChanged || allowPushChanged
		}
		targets = append(targets, Target{Kind: c.Kind, Name: c.Name, Deploy: deploy})
	}
	slices.SortStableFunc(targets, func(a, b Target) int {
		return slices.Index(naming.Kinds, a.Kind) - slices.Index(naming.Kinds, b.Kind)
	})
	return targets
}

// NeedAccount is true when some target is a push dataset, whose handout
// names the mover role by its account.
func NeedAccount(targets []Target) bool {
	return slices.ContainsFunc(targets, func(t Target) bool { return t.Kind == naming.KindPush })
}

// Build writes the handout of each target from its dataset in set; account
// is the movers' account, needed only for push datasets.
func Build(set *datasets.Set, targets []Target, account string) ([]Handout, error) {
	var handouts []Handout
	for _, t := range targets {
		var h Handout
		switch t.Kind {
		case naming.KindPush:
			i := slices.IndexFunc(set.Push, func(p datasets.Push) bool { return p.Name == t.Name })
			if i < 0 {
				return nil, missingFile(t)
			}
			h = ForPush(set.Push[i], account)
		case naming.KindPull:
			i := slices.IndexFunc(set.Pull, func(p datasets.Pull) bool { return p.Name == t.Name })
			if i < 0 {
				return nil, missingFile(t)
			}
			h = ForPull(set.Pull[i])
		}
		h.Deploy = t.Deploy
		handouts = append(handouts, h)
	}
	return handouts, nil
}

func missingFile(t Target) error {
	return fmt.Errorf("the plan changes the %s dataset %s, which has no file %s in the datasets directory: give the directory the plan was made from", t.Kind, t.Name, naming.DatasetFile("", t.Kind, t.Name))
}

// PlanAccount is the account a plan deploys to, as its caller identity data
// source read it; "" when the plan has none.
func PlanAccount(plan *plansummary.Plan) string {
	if plan.PriorState == nil || plan.PriorState.Values == nil || plan.PriorState.Values.RootModule == nil {
		return ""
	}
	for _, r := range plan.PriorState.Values.RootModule.Resources {
		if r != nil && r.Mode == tfjson.DataResourceMode && r.Name == naming.SharedLogicalID(naming.PartCallerIdentity) {
			account, _ := r.AttributeValues["account_id"].(string)
			return account
		}
	}
	return ""
}
