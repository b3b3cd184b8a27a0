package plansummary

import "slices"

// Label is a pull-request label a plan calls for. The pull-request workflow
// adds those a plan calls for and removes the others of AllLabels, so that
// branch rules can ask for a second reviewer on such pull requests.
type Label string

// The labels, in the order Labels lists them.
const (
	// LabelDataAtRisk: the deploy refuses the plan (see Gate).
	LabelDataAtRisk Label = "data-at-risk"
	// LabelNewOutsideAccount: a pull dataset grants a principal in an
	// account Terraform never granted (Principal.NewAccount).
	LabelNewOutsideAccount Label = "new-outside-account"
	// LabelDrift: resources were changed outside Terraform (Summary.Drift).
	LabelDrift Label = "drift"
	// LabelAdoptsResources: the plan imports resources that exist but
	// Terraform does not manage yet.
	LabelAdoptsResources Label = "adopts-resources"
	// LabelRemovesDataset: the plan removes a dataset.
	LabelRemovesDataset Label = "removes-dataset"
)

// Meaning says when the plan calls for the label.
func (l Label) Meaning() string {
	switch l {
	case LabelDataAtRisk:
		return "the deploy refuses the plan (as --fail-on-data-risk does)"
	case LabelNewOutsideAccount:
		return "a pull dataset grants a principal in an account Terraform never granted"
	case LabelDrift:
		return "resources were changed outside Terraform since it last applied them"
	case LabelAdoptsResources:
		return "the plan imports resources that exist but Terraform does not manage yet"
	case LabelRemovesDataset:
		return "the plan removes a dataset"
	}
	return ""
}

// AllLabels is every label Labels may give, in its order.
var AllLabels = []Label{LabelDataAtRisk, LabelNewOutsideAccount, LabelDrift, LabelAdoptsResources, LabelRemovesDataset}

// Labels is the labels the summarized plan calls for, in AllLabels order.
func (s *Summary) Labels() []Label {
	applies := map[Label]bool{
		LabelDataAtRisk: len(s.Refused) > 0,
		LabelNewOutsideAccount: slices.ContainsFunc(s.Datasets, func(d DatasetChange) bool {
			return slices.ContainsFunc(d.PrincipalsGained, func(p Principal) bool { return p.NewAccount })
		}),
		LabelDrift:           len(s.Drift) > 0,
		LabelAdoptsResources: s.Counts[verbImport] > 0,
		LabelRemovesDataset:  slices.ContainsFunc(s.Datasets, func(d DatasetChange) bool { return d.Status == Removed }),
	}
	var labels []Label
	for _, l := range AllLabels {
		if applies[l] {
			labels = append(labels, l)
		}
	}
	return labels
}
