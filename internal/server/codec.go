package server

import (
	"connectrpc.com/connect"
	"connectrpc.com/vanguard"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/message"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// jsonCodec is protojson as ZITADEL speaks it: unset fields left out (no nulls),
// and bad input — malformed JSON, wrong types, unknown fields or enum names —
// refused as InvalidArgument (HTTP 400) instead of the transcoder's 500, and
// instead of being silently dropped.
type jsonCodec struct{ *vanguard.JSONCodec }

func newJSONCodec(res vanguard.TypeResolver) vanguard.Codec {
	return jsonCodec{&vanguard.JSONCodec{
		MarshalOptions:   protojson.MarshalOptions{Resolver: res},
		UnmarshalOptions: protojson.UnmarshalOptions{Resolver: res},
	}}
}

func invalidJSON(err error) error {
	ce := connect.NewError(connect.CodeInvalidArgument, err)
	if d, derr := connect.NewErrorDetail(&message.ErrorDetail{Id: "WARDEN-JSON", Message: err.Error()}); derr == nil {
		ce.AddDetail(d)
	}
	return ce
}

func (c jsonCodec) Unmarshal(b []byte, m proto.Message) error {
	if err := c.JSONCodec.Unmarshal(b, m); err != nil {
		return invalidJSON(err)
	}
	return nil
}

func (c jsonCodec) UnmarshalField(b []byte, m proto.Message, fd protoreflect.FieldDescriptor) error {
	if err := c.JSONCodec.UnmarshalField(b, m, fd); err != nil {
		return invalidJSON(err)
	}
	return nil
}
