package io.gencluster.runtime;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Warns about keys of a gen-cluster configuration ({@code io.gencluster*} PIDs, from a
 * {@code .cfg} file or anywhere) that its PID has no setting for — a typo such as
 * {@code refresh.intervall.ms} that DS would silently ignore, leaving the default running — naming
 * the setting meant. The settings of a PID are what its bundle publishes through Metatype, so one
 * check covers every strategy and transport, also ones written later. One warning per change of a
 * PID's unknown keys. Without ConfigAdmin and a MetaTypeService it does nothing.
 */
@Component(service = ConfigurationListener.class)
public final class ConfigurationKeysCheck implements ConfigurationListener {

    private static final System.Logger LOG = System.getLogger(ConfigurationKeysCheck.class.getName());
    private static final String PREFIX = "io.gencluster";

    private final BundleContext context;
    private final ConfigurationAdmin cm;
    private final MetaTypeService metatype;
    /** Per PID, the unknown keys last warned about. */
    private final Map<String, Set<String>> reported = Collections.synchronizedMap(new HashMap<>());

    @Activate
    public ConfigurationKeysCheck(BundleContext context, @Reference ConfigurationAdmin cm, @Reference MetaTypeService metatype) {
        this.context = context;
        this.cm = cm;
        this.metatype = metatype;
        try {
            Configuration[] existing = cm.listConfigurations("(service.pid=" + PREFIX + "*)");
            if (existing != null) {
                for (Configuration c : existing) {
                    check(c);
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.log(Level.DEBUG, "cannot list the configurations to check their keys: {0}", e.getMessage());
        }
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() != ConfigurationEvent.CM_UPDATED || !event.getPid().startsWith(PREFIX)) {
            return;
        }
        try {
            Configuration[] c = cm.listConfigurations("(service.pid=" + event.getPid() + ")");
            if (c != null && c.length == 1) {
                check(c[0]);
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.log(Level.DEBUG, "cannot read configuration {0} to check its keys: {1}", event.getPid(), e.getMessage());
        }
    }

    private void check(Configuration c) {
        Dictionary<String, Object> properties = c.getProperties();
        String pid = c.getFactoryPid() != null ? c.getFactoryPid() : c.getPid();
        Set<String> known = settingsOf(pid, c.getFactoryPid() != null);
        if (properties == null || known == null) {
            return; // deleted meanwhile, or no bundle describes this PID
        }
        Set<String> unknown = UnknownKeys.unknown(known, new TreeSet<>(Collections.list(properties.keys())));
        if (!unknown.equals(reported.put(c.getPid(), unknown))) {
            unknown.forEach(key -> LOG.log(Level.WARNING, UnknownKeys.describe(pid, key, known)));
        }
    }

    /** The setting keys Metatype lists for {@code pid}, or null when no bundle describes it. */
    private Set<String> settingsOf(String pid, boolean factory) {
        for (Bundle b : context.getBundles()) {
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            if (info == null) {
                continue;
            }
            String[] pids = factory ? info.getFactoryPids() : info.getPids();
            if (pids == null || !List.of(pids).contains(pid)) {
                continue;
            }
            ObjectClassDefinition ocd = info.getObjectClassDefinition(pid, null);
            AttributeDefinition[] attributes = ocd == null ? null : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
            if (attributes == null) {
                return null;
            }
            Set<String> keys = new TreeSet<>();
            for (AttributeDefinition a : attributes) {
                keys.add(a.getID());
            }
            return keys;
        }
        return null;
    }
}
