package io.gencluster.dist.tcp;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import io.gencluster.spi.Dist;
import io.gencluster.spi.DistProvider;
import java.io.IOException;
import java.util.Map;

/**
 * The TCP transport for plain Java (ServiceLoader): the same configuration type and checks as
 * {@link TcpDistComponent}, without OSGi. Optional in OSGi, where the DS component does this.
 */
@ServiceProvider(value = DistProvider.class, resolution = Resolution.OPTIONAL)
public final class TcpDistProvider implements DistProvider<TcpDistConfig> {

    @Override
    public String pid() {
        return TcpDistConfig.PID;
    }

    @Override
    public Class<TcpDistConfig> configurationType() {
        return TcpDistConfig.class;
    }

    @Override
    public Dist start(TcpDistConfig configuration) throws IOException {
        // values were converted by the caller, which names a value that does not fit: no raw map needed
        TcpDist dist = new TcpDist(TcpDistComponent.settings(configuration, Map.of()));
        dist.start();
        return dist;
    }

    @Override
    public void stop(Dist dist) {
        ((TcpDist) dist).close();
    }
}
