package api

import (
	"context"
	"fmt"

	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	userv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2beta"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// UserV2beta implements zitadel.user.v2beta.UserService, which @zitadel/node's
// createUserClient still calls, by relaying each served method to the v2
// service: one implementation, so v2beta cannot drift from v2 in what it
// allows or answers. Methods not relayed answer Unimplemented.
type UserV2beta struct {
	userv2beta.UnimplementedUserServiceServer
	v2 userv2.UserServiceServer
}

// NewUserV2beta returns the v2beta service in front of v2.
func NewUserV2beta(v2 userv2.UserServiceServer) *UserV2beta { return &UserV2beta{v2: v2} }

// relay converts in to its v2 twin vin, calls v2 and converts the answer into
// out. The conversion goes through the protobuf wire format: for every method
// relayed here each v2beta field has the same number, name, kind and
// cardinality in v2, down to enum values (TestV2betaMessagesMirrorV2 walks
// the descriptors), so one message's encoding is the other's. Fields the
// v2beta request does not know are dropped first, so a client cannot reach a
// v2-only field (the metadata filters of ListUsers) through v2beta; v2-only
// fields of the answer (mfa_init_skipped) are dropped too.
func relay[In, Out, VIn, VOut proto.Message](ctx context.Context, in In, vin VIn, call func(context.Context, VIn) (VOut, error), out Out) (Out, error) {
	var zero Out
	dropUnknown(in.ProtoReflect())
	b, err := proto.Marshal(in)
	if err != nil {
		return zero, fmt.Errorf("v2beta request %s: %w", in.ProtoReflect().Descriptor().FullName(), err)
	}
	if err := proto.Unmarshal(b, vin); err != nil {
		return zero, fmt.Errorf("v2beta request as %s: %w", vin.ProtoReflect().Descriptor().FullName(), err)
	}
	vout, err := call(ctx, vin)
	if err != nil {
		return zero, err
	}
	if b, err = proto.Marshal(vout); err != nil {
		return zero, fmt.Errorf("v2 answer %s: %w", vout.ProtoReflect().Descriptor().FullName(), err)
	}
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, out); err != nil {
		return zero, fmt.Errorf("v2 answer as %s: %w", out.ProtoReflect().Descriptor().FullName(), err)
	}
	return out, nil
}

// dropUnknown clears the unknown fields of m and of every message inside it.
func dropUnknown(m protoreflect.Message) {
	if !m.IsValid() {
		return
	}
	if len(m.GetUnknown()) > 0 {
		m.SetUnknown(nil)
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				dropUnknown(l.Get(i).Message())
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				dropUnknown(mv.Message())
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			dropUnknown(v.Message())
		}
		return true
	})
}

func (s *UserV2beta) AddHumanUser(ctx context.Context, r *userv2beta.AddHumanUserRequest) (*userv2beta.AddHumanUserResponse, error) {
	return relay(ctx, r, new(userv2.AddHumanUserRequest), s.v2.AddHumanUser, new(userv2beta.AddHumanUserResponse))
}

func (s *UserV2beta) GetUserByID(ctx context.Context, r *userv2beta.GetUserByIDRequest) (*userv2beta.GetUserByIDResponse, error) {
	return relay(ctx, r, new(userv2.GetUserByIDRequest), s.v2.GetUserByID, new(userv2beta.GetUserByIDResponse))
}

func (s *UserV2beta) ListUsers(ctx context.Context, r *userv2beta.ListUsersRequest) (*userv2beta.ListUsersResponse, error) {
	return relay(ctx, r, new(userv2.ListUsersRequest), s.v2.ListUsers, new(userv2beta.ListUsersResponse))
}

func (s *UserV2beta) DeactivateUser(ctx context.Context, r *userv2beta.DeactivateUserRequest) (*userv2beta.DeactivateUserResponse, error) {
	return relay(ctx, r, new(userv2.DeactivateUserRequest), s.v2.DeactivateUser, new(userv2beta.DeactivateUserResponse))
}

func (s *UserV2beta) ReactivateUser(ctx context.Context, r *userv2beta.ReactivateUserRequest) (*userv2beta.ReactivateUserResponse, error) {
	return relay(ctx, r, new(userv2.ReactivateUserRequest), s.v2.ReactivateUser, new(userv2beta.ReactivateUserResponse))
}

func (s *UserV2beta) LockUser(ctx context.Context, r *userv2beta.LockUserRequest) (*userv2beta.LockUserResponse, error) {
	return relay(ctx, r, new(userv2.LockUserRequest), s.v2.LockUser, new(userv2beta.LockUserResponse))
}

func (s *UserV2beta) UnlockUser(ctx context.Context, r *userv2beta.UnlockUserRequest) (*userv2beta.UnlockUserResponse, error) {
	return relay(ctx, r, new(userv2.UnlockUserRequest), s.v2.UnlockUser, new(userv2beta.UnlockUserResponse))
}

func (s *UserV2beta) DeleteUser(ctx context.Context, r *userv2beta.DeleteUserRequest) (*userv2beta.DeleteUserResponse, error) {
	return relay(ctx, r, new(userv2.DeleteUserRequest), s.v2.DeleteUser, new(userv2beta.DeleteUserResponse))
}

func (s *UserV2beta) SetPassword(ctx context.Context, r *userv2beta.SetPasswordRequest) (*userv2beta.SetPasswordResponse, error) {
	return relay(ctx, r, new(userv2.SetPasswordRequest), s.v2.SetPassword, new(userv2beta.SetPasswordResponse))
}

func (s *UserV2beta) UpdateHumanUser(ctx context.Context, r *userv2beta.UpdateHumanUserRequest) (*userv2beta.UpdateHumanUserResponse, error) {
	return relay(ctx, r, new(userv2.UpdateHumanUserRequest), s.v2.UpdateHumanUser, new(userv2beta.UpdateHumanUserResponse))
}
