# What `cmake --install` puts beside the binary (the man page, the shell completion, the
# documentation and the licence) and the Debian package built from it with `cpack -G DEB`.
# The layout follows Debian's: man pages gzipped, the licence as share/doc/<package>/copyright.

find_program(BBP_GZIP gzip REQUIRED)

# The completion scripts are printed by the built binary itself (`bbposture completion bash`),
# from its own command-line definition and rule catalogue, so they never fall behind it.
set(BBP_COMPLETION_DIR ${PROJECT_BINARY_DIR}/completion)
set(BBP_BASH_COMPLETION ${BBP_COMPLETION_DIR}/bbposture.bash)
set(BBP_ZSH_COMPLETION ${BBP_COMPLETION_DIR}/_bbposture)
add_custom_command(
  OUTPUT ${BBP_BASH_COMPLETION} ${BBP_ZSH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${BBP_COMPLETION_DIR}
  COMMAND $<TARGET_FILE:bbposture> completion bash > ${BBP_BASH_COMPLETION}
  COMMAND $<TARGET_FILE:bbposture> completion zsh > ${BBP_ZSH_COMPLETION}
  DEPENDS bbposture
  COMMENT "Generating the bash and zsh completion of bbposture")

set(BBP_MAN_PAGE ${PROJECT_BINARY_DIR}/man/bbposture.1.gz)
add_custom_command(
  OUTPUT ${BBP_MAN_PAGE}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
  COMMAND ${BBP_GZIP} -9 -n -c ${PROJECT_SOURCE_DIR}/docs/bbposture.1 > ${BBP_MAN_PAGE}
  DEPENDS ${PROJECT_SOURCE_DIR}/docs/bbposture.1
  COMMENT "Compressing the man page")

add_custom_target(bbposture_extras ALL DEPENDS ${BBP_BASH_COMPLETION} ${BBP_ZSH_COMPLETION}
                                               ${BBP_MAN_PAGE})

install(FILES ${BBP_MAN_PAGE} DESTINATION share/man/man1)
install(FILES ${BBP_BASH_COMPLETION} DESTINATION share/bash-completion/completions
        RENAME bbposture)
install(FILES ${BBP_ZSH_COMPLETION} DESTINATION share/zsh/vendor-completions)

# The documentation keeps its folders, so the README's links to docs/… work where installed.
set(BBP_DOC_DIR share/doc/bbposture)
file(GLOB BBP_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${BBP_DOC_DIR})
install(FILES ${BBP_DOCS} ${PROJECT_SOURCE_DIR}/docs/report.schema.json
        DESTINATION ${BBP_DOC_DIR}/docs)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${BBP_DOC_DIR} RENAME copyright)

# The Debian package: bbposture_<version>_<arch>.deb, installing under /usr, its Depends
# computed from the binary by dpkg-shlibdeps (dpkg-dev).
set(BBP_PACKAGE_MAINTAINER "bbposture maintainers <bbposture@localhost>"
    CACHE STRING "The Maintainer field of the Debian package")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME bbposture)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${BBP_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS bash-completion)
# The synopsis line is the project's DESCRIPTION (CPACK_PACKAGE_DESCRIPTION_SUMMARY).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "bbposture reads every workspace and repository a credential can see (branch
restrictions, branching models, deploy keys, SSH keys) with read-only API
calls and reports public repositories, unprotected default branches, stale
repositories and old keys as a table, JSON, JSON Lines, SARIF or CSV. What it
cannot read is reported as unknown, never as a pass.")
include(CPack)
