// The Corefile template of the sample manifest (kubernetes/kubernetes nodelocaldns.yaml), after
// the iptables-mode deploy-time sed of DNS_DOMAIN (LOCAL_DNS, DNS_SERVER kept for the runtime).
// One copy, in test/fixtures/kube-sample.Corefile, for every test that needs it.

import { readFileSync } from 'node:fs';

export const SAMPLE_TEMPLATE = readFileSync(
  new URL('../../fixtures/kube-sample.Corefile', import.meta.url),
  'utf8',
).replaceAll('__PILLAR__DNS__DOMAIN__', 'cluster.local');

/** node-cache TestUpdateCoreFile's template: the `.:53` forward has a force_tcp sub-block. */
export const NODE_CACHE_TEST_TEMPLATE = `cluster.local:53 {
    errors
    cache {
      success 9984 30
      denial 9984 5
    }
    reload
    loop
    bind __PILLAR__LOCAL__DNS__
    forward . __PILLAR__CLUSTER__DNS__ {
      force_tcp
    }
    prometheus :9253
    }
.:53 {
    errors
    cache 30
    reload
    loop
    bind __PILLAR__LOCAL__DNS__
    forward . __PILLAR__UPSTREAM__SERVERS__ {
            force_tcp
    }
    prometheus :9253
    }
`;
