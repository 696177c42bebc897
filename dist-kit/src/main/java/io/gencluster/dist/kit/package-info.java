/**
 * What the project's transports, dist-tcp and dist-erlang, share, so that each idea lives once:
 * the {@link io.gencluster.dist.kit.Transport node side} both extend, the
 * {@link io.gencluster.dist.kit.CookieFile cookie file}, the
 * {@link io.gencluster.dist.kit.Mailboxes mailboxes} that hand received messages to handlers, the
 * {@link io.gencluster.dist.kit.NodeEvents event thread} that tells cluster listeners, the
 * whiteboard that makes every {@code MessageHandler} service a mailbox and the running and
 * registering of a transport under Declarative Services
 * ({@link io.gencluster.dist.kit.TransportRunner}, {@link io.gencluster.dist.kit.TransportService}),
 * the {@link io.gencluster.dist.kit.SettingChecks checks} every transport's settings make, and the
 * {@link io.gencluster.dist.kit.RefusalLog summarised log} of refused connections, with
 * {@link io.gencluster.dist.kit.LogText peer-supplied text escaped}.
 *
 * <p>This package is for the project's transports; it is not an application API. Applications use
 * {@code io.gencluster.api}; a transport written elsewhere implements {@code io.gencluster.spi}
 * and needs nothing from here.
 */
@Version("1.4.0")
@Export
package io.gencluster.dist.kit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
