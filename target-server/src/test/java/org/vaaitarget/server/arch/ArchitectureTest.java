package org.vaaitarget.server.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure as checked rules (issue 14, item 3), read from the compiled main classes of
 * target-server and target-core (tests excluded).
 *
 * <p>Server layering, lowest first: pdu, session, codec, metrics, login, discovery, task, net, app. A lower
 * package owns the small interface a higher one implements ({@code session.ShutdownNotice} for
 * {@code net.ServerShutdownEvent}, {@code login.PhaseHandlers} for {@code net.StandardPhases}).
 *
 * <p>Core layering (see docs/ARCHITECTURE.md): at the bottom scsi, util and observe; then store (the block store
 * interface); the logical unit and its state (lu with lock, ua and pr, sbc.forensics, sbc.sanitize). Above the
 * logical unit two branches: dispatch, then the command handlers (sbc, spc, spc.pr, spc.alua, spc.xcopy); and
 * config (the LUN configuration and the backend factory), then the backends (store.file, store.rbd, store.memory).
 * On top assembly, the composition root: the handlers a device serves and the backend a LUN configuration opens.
 */
class ArchitectureTest {
    private static final String CORE = "org.vaaitarget.core";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.vaaitarget.server", "org.vaaitarget.core");
    }

    /** Every top-level server package (with its subpackages) is a slice; no slice may reach itself again. */
    @Test
    void serverPackagesAreFreeOfCycles() {
        slices().matching("org.vaaitarget.server.(*)..")
                .should().beFreeOfCycles()
                .check(classes);
    }

    /** Every core package (each subpackage on its own) is a slice; no slice may reach itself again. */
    @Test
    void corePackagesAreFreeOfCycles() {
        slices().matching("org.vaaitarget.core.(**)")
                .should().beFreeOfCycles()
                .check(classes);
    }

    /** The core layers: each may use only the layers below it on its branch (and its own); every core class has one. */
    @Test
    void coreLayersPointDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Assembly").definedBy(CORE + ".assembly..")
                .layer("Backends").definedBy(CORE + ".store.file..", CORE + ".store.rbd..", CORE + ".store.memory..")
                .layer("Config").definedBy(CORE + ".config..")
                .layer("Handlers").definedBy(CORE + ".sbc", CORE + ".spc", CORE + ".spc.pr", CORE + ".spc.alua",
                        CORE + ".spc.xcopy")
                .layer("Dispatch").definedBy(CORE + ".dispatch..")
                .layer("LogicalUnit").definedBy(CORE + ".lu..", CORE + ".sbc.forensics..", CORE + ".sbc.sanitize..")
                .layer("Store").definedBy(CORE + ".store")
                .layer("Base").definedBy(CORE + ".scsi..", CORE + ".util..", CORE + ".observe..")
                .whereLayer("Assembly").mayNotBeAccessedByAnyLayer()
                .whereLayer("Backends").mayOnlyBeAccessedByLayers("Assembly")
                .whereLayer("Config").mayOnlyBeAccessedByLayers("Backends", "Assembly")
                .whereLayer("Handlers").mayOnlyBeAccessedByLayers("Assembly")
                .whereLayer("Dispatch").mayOnlyBeAccessedByLayers("Handlers", "Assembly")
                .whereLayer("LogicalUnit").mayOnlyBeAccessedByLayers("Dispatch", "Handlers", "Config", "Backends",
                        "Assembly")
                .whereLayer("Store").mayOnlyBeAccessedByLayers("LogicalUnit", "Dispatch", "Handlers", "Backends",
                        "Assembly")
                .ensureAllClassesAreContainedInArchitectureIgnoring("org.vaaitarget.server..")
                .check(classes);
    }

    /** The SCSI engine knows nothing of iSCSI or of Netty beyond ByteBuf (the enforcer bans the artifacts too). */
    @Test
    void coreDependsNeitherOnTheServerNorOnNettyTransport() {
        noClasses().that().resideInAPackage("org.vaaitarget.core..")
                .should().dependOnClassesThat().resideInAnyPackage("org.vaaitarget.server..",
                        "io.netty.channel..", "io.netty.bootstrap..", "io.netty.handler..", "io.netty.resolver..")
                .check(classes);
    }

    /** The PDU layer is the bottom of the server: it names no codec, session or protocol state. */
    @Test
    void pduDependsOnNoOtherServerPackage() {
        noClasses().that().resideInAPackage("org.vaaitarget.server.pdu..")
                .should().dependOnClassesThat().resideInAnyPackage("org.vaaitarget.server.codec..",
                        "org.vaaitarget.server.session..", "org.vaaitarget.server.login..",
                        "org.vaaitarget.server.task..", "org.vaaitarget.server.discovery..",
                        "org.vaaitarget.server.net..", "org.vaaitarget.server.app..", "org.vaaitarget.server.metrics..")
                .check(classes);
    }
}
