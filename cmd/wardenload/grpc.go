package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// bearer attaches the token to every call as ZITADEL's SDK does.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

// RequireTransportSecurity is false: load runs talk h2c to a local node.
func (bearer) RequireTransportSecurity() bool { return false }

// grpcDriver runs lock/unlock through the generated management client over a
// few shared h2c connections (gRPC multiplexes, so one per client would only
// measure the connection count).
type grpcDriver struct {
	conns   []*grpc.ClientConn
	clients []management.ManagementServiceClient // one per connection
	ids     []string                             // user id per load client
	pick    []management.ManagementServiceClient // connection per load client
}

func newGRPCDriver(c config) (*grpcDriver, error) {
	if c.token == "" {
		return nil, fmt.Errorf("-protocol grpc needs -token-file or -token")
	}
	d := &grpcDriver{}
	for _, t := range c.targets {
		addr := t
		if u, err := url.Parse(t); err == nil && u.Host != "" {
			addr = u.Host
		}
		for range c.grpcConns {
			cc, err := grpc.NewClient(addr,
				grpc.WithTransportCredentials(insecure.NewCredentials()),
				grpc.WithPerRPCCredentials(bearer(c.token)))
			if err != nil {
				d.close()
				return nil, fmt.Errorf("dial %s: %w", addr, err)
			}
			d.conns = append(d.conns, cc)
			d.clients = append(d.clients, management.NewManagementServiceClient(cc))
		}
	}
	return d, nil
}

func (d *grpcDriver) setup(ctx context.Context, clients int, prefix string) error {
	d.ids = make([]string, clients)
	d.pick = make([]management.ManagementServiceClient, clients)
	for i := range clients {
		// Round-robin over connections, which are grouped by target, so
		// clients spread over targets too.
		m := d.clients[i%len(d.clients)]
		r, err := m.AddMachineUser(ctx, &management.AddMachineUserRequest{
			UserName: fmt.Sprintf("%s-%d", prefix, i), Name: "load client",
		})
		if err != nil {
			return fmt.Errorf("create user %d: %w", i, err)
		}
		d.ids[i], d.pick[i] = r.GetUserId(), m
	}
	return nil
}

func (d *grpcDriver) op(ctx context.Context, client, n int) error {
	m, id := d.pick[client], d.ids[client]
	var err error
	if n%2 == 0 {
		_, err = m.LockUser(ctx, &management.LockUserRequest{Id: id})
	} else {
		_, err = m.UnlockUser(ctx, &management.UnlockUserRequest{Id: id})
	}
	return err
}

func (d *grpcDriver) close() {
	for _, c := range d.conns {
		c.Close()
	}
}
