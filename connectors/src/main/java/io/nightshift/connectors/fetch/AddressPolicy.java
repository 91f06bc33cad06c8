package io.nightshift.connectors.fetch;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which hosts an HTTP fetch may reach. Refused unless allow-listed: link-local addresses
 * (169.254.0.0/16, fe80::/10: where cloud metadata services live), the EC2 IPv6 metadata address
 * {@code fd00:ec2::254}, and the wildcard address. Applied to the first URI and to every redirect.
 * (A host whose DNS answer changes between this check and the connection is not caught here.)
 */
public final class AddressPolicy {
    private static final InetAddress EC2_METADATA_V6 = literal("fd00:ec2::254");

    private final Set<String> allowedHosts;

    /** {@code allowedHosts}: host names or address literals fetched from even when they resolve to a refused address. */
    public AddressPolicy(Set<String> allowedHosts) {
        this.allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    public static AddressPolicy defaults() {
        return new AddressPolicy(Set.of());
    }

    /** Throws a permanent {@link FetchException} when {@code uri}'s host is refused; unknown hosts are transient. */
    public void check(URI uri) throws FetchException {
        String host = uri.getHost();
        if (host == null) throw FetchException.permanent(uri.toString(), "no host");
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (allowedHosts.contains(h)) return;
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(h);
        } catch (UnknownHostException e) {
            throw FetchException.transientError(uri.toString(), "unknown host " + host, e);
        }
        for (InetAddress a : all) {
            if (refused(a)) {
                if (allowedHosts.contains(a.getHostAddress().toLowerCase(Locale.ROOT))) continue;
                throw FetchException.permanent(uri.toString(), ("refused: %s is %s, a link-local or cloud-metadata address; "
                        + "allow-list the host in agent.fetch.http.allowed-hosts to fetch from it").formatted(host,
                        a.getHostAddress()));
            }
        }
    }

    static boolean refused(InetAddress a) {
        return a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.equals(EC2_METADATA_V6);
    }

    private static InetAddress literal(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
