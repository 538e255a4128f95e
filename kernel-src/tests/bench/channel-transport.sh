#!/bin/sh
# channel-transport.sh — the debug channel's transports side by side (channel-transport.mjs) for
# `make bench`, writing its section of docs/bench-channel.md.
exec node "$(dirname "$0")/channel-transport.mjs" --write
