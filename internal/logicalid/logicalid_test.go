package logicalid

import "testing"

func TestRoundTrip(t *testing.T) {
	cases := []struct {
		id   string
		want ID
	}{
		{Dataset(OwnerPush, "new_project", "role"), ID{Owner: OwnerPush, Dataset: "new_project", Part: "role"}},
		{Dataset(OwnerPull, "p2", "bucket_policy"), ID{Owner: OwnerPull, Dataset: "p2", Part: "bucket_policy"}},
		{PullUser("p2", "alpha_user_jo-smith"), ID{Owner: OwnerPull, Dataset: "p2", Part: "user", Role: "alpha_user_jo-smith"}},
		{UserPush("alpha_user_jo-smith"), ID{Owner: OwnerUser, Role: "alpha_user_jo-smith"}},
		{Shared("export_bucket"), ID{Owner: OwnerShared, Part: "export_bucket"}},
	}
	for _, c := range cases {
		got, ok := Parse(c.id)
		if !ok || got != c.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, true", c.id, got, ok, c.want)
		}
	}
}

func TestParseRejectsForeignIDs(t *testing.T) {
	for _, id := range []string{"", "push", "push-", "push-x", "push--role", "aws_s3_bucket_abc123", "other-thing", "user-", "shared-"} {
		if got, ok := Parse(id); ok {
			t.Errorf("Parse(%q) = %+v, true; want false", id, got)
		}
	}
}
