package server

import (
	"context"
	"sync"

	"connectrpc.com/connect"
	"connectrpc.com/vanguard"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/message"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
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
	if d, derr := connect.NewErrorDetail(&message.ErrorDetail{Id: errBadJSON.ID, Message: err.Error()}); derr == nil {
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

// protoCodec is gRPC's own protobuf codec, except for a request that does not
// parse. grpc-go turns any codec error into Internal (a 500 through the
// transcoder, a server fault on every dashboard) before an interceptor runs;
// the request is the client's fault, as Connect and ZITADEL's REST gateway say:
// InvalidArgument. So Unmarshal notes the failure against the message and lets
// decoding "succeed"; refuseUndecodable, the first interceptor after metrics
// and tracing, answers InvalidArgument before authentication or any handler
// sees the half-parsed message. Every served method is unary, so every decoded
// request passes through it and the note is always taken back out.
type protoCodec struct {
	encoding.CodecV2
	undecodable *sync.Map
}

func newProtoCodec(undecodable *sync.Map) protoCodec {
	return protoCodec{CodecV2: encoding.GetCodecV2(grpcproto.Name), undecodable: undecodable}
}

func (c protoCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if err := c.CodecV2.Unmarshal(data, v); err != nil {
		if m, ok := v.(proto.Message); ok {
			proto.Reset(m)
		}
		c.undecodable.Store(v, err)
	}
	return nil
}

var errUndecodable = func() error {
	id, msg := errBadProto.ID, errBadProto.Message
	st := status.New(codes.InvalidArgument, msg+" ("+id+")")
	if d, err := st.WithDetails(&message.ErrorDetail{Id: id, Message: msg}); err == nil {
		st = d
	}
	return st.Err()
}()

func (s *Server) refuseUndecodable(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if _, bad := s.undecodable.LoadAndDelete(req); bad {
		return nil, errUndecodable
	}
	return handler(ctx, req)
}
