package naming

import "testing"

func TestRoundTrip(t *testing.T) {
	cases := []struct {
		id   string
		want LogicalID
	}{
		{DatasetLogicalID(KindPush, "new_project", "role"), LogicalID{Owner: OwnerPush, Dataset: "new_project", Part: "role"}},
		{DatasetLogicalID(KindPull, "p2", "bucket_policy"), LogicalID{Owner: OwnerPull, Dataset: "p2", Part: "bucket_policy"}},
		{PullUserLogicalID("p2", "alpha_user_jo-smith"), LogicalID{Owner: OwnerPull, Dataset: "p2", Part: "user", Role: "alpha_user_jo-smith"}},
		{UserPushLogicalID("alpha_user_jo-smith"), LogicalID{Owner: OwnerUser, Role: "alpha_user_jo-smith"}},
		{SharedLogicalID("export_bucket"), LogicalID{Owner: OwnerShared, Part: "export_bucket"}},
	}
	for _, c := range cases {
		got, ok := ParseLogicalID(c.id)
		if !ok || got != c.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, true", c.id, got, ok, c.want)
		}
	}
}

func TestParseRejectsForeignIDs(t *testing.T) {
	for _, id := range []string{"", "push", "push-", "push-x", "push--role", "aws_s3_bucket_abc123", "other-thing", "user-", "shared-"} {
		if got, ok := ParseLogicalID(id); ok {
			t.Errorf("Parse(%q) = %+v, true; want false", id, got)
		}
	}
}
