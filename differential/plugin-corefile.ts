// One Corefile with a block per plugin whose behaviour a DNS client can see, all on one port.
// Every forward names the loopback knot; no block reads this machine's resolv.conf.

import type { Ports } from './pair.ts';

export function pluginCorefile(knotPort: number, scriptedPort: number): (p: Ports) => string {
  const knot = `127.0.0.1:${knotPort}`;
  return (p) => `cluster.local:${p.dns} {
    errors
    log
    bind 127.0.0.1
    cache {
        success 9984 30
        denial 9984 5
    }
    loadbalance
    forward . ${knot}
    prometheus 127.0.0.1:${p.metrics}
    health 127.0.0.1:${p.health}
    reload
    loop
}
10.in-addr.arpa:${p.dns} {
    bind 127.0.0.1
    cache 30
    forward . ${knot} {
        force_tcp
    }
}
example.test:${p.dns} {
    bind 127.0.0.1
    bufsize 1232
    dns64 {
        prefix 64:ff9b::/96
        allow_ipv4
    }
    forward . ${knot}
    prometheus 127.0.0.1:${p.metrics}
}
hosts.test:${p.dns} 2.0.192.in-addr.arpa:${p.dns} {
    bind 127.0.0.1
    hosts {
        192.0.2.10 a.hosts.test
        2001:db8::10 a.hosts.test
        192.0.2.11 b.hosts.test
        ttl 60
        fallthrough
    }
    forward . ${knot}
}
tmpl.test:${p.dns} {
    bind 127.0.0.1
    template IN A tmpl.test {
        match "^(?P<host>[a-z0-9-]+)[.]tmpl[.]test[.]$"
        answer "{{ .Name }} 60 IN A 192.0.2.44"
        additional "info.tmpl.test. 60 IN TXT \\"{{ .Group.host }} {{ .Type }} {{ .Class }} {{ .Zone }} {{ index .Match 1 }} {{ .Match }}\\""
        fallthrough
    }
    template IN AAAA tmpl.test {
        rcode NOERROR
        authority "tmpl.test. 60 IN SOA ns.tmpl.test. hostmaster.tmpl.test. 1 7200 1800 86400 30"
    }
}
rw.test:${p.dns} {
    bind 127.0.0.1
    rewrite name exact www.rw.test www.example.test
    rewrite name regex (.+)[.]re[.]rw[.]test {1}.default.svc.cluster.local answer auto
    rewrite continue name exact cont.rw.test www.example.test
    rewrite continue name suffix .sfx.rw.test .example.test
    forward . ${knot}
}
scripted.test:${p.dns} {
    bind 127.0.0.1
    cache 7200
    forward . 127.0.0.1:${scriptedPort}
}
rwa.test:${p.dns} {
    bind 127.0.0.1
    rewrite name suffix .rwa.test .example.test answer auto
    forward . ${knot}
}
unserved.test:${p.dns} {
    bind 127.0.0.1
    cache 30
    forward . ${knot}
}
d64rw.test:${p.dns} {
    bind 127.0.0.1
    rewrite name suffix .d64rw.test .example.test answer auto
    dns64 {
        allow_ipv4
    }
    forward . ${knot}
}
whoami.test:${p.dns} {
    bind 127.0.0.1
    whoami
}
`;
}
